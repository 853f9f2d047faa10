/// A subject within its program: the key of `recon.subject_status`, as text.
struct SubjectID: Hashable {
    let program: String
    let subject: String

    init(_ program: String, _ subject: String) {
        self.program = program
        self.subject = subject
    }
}
