import Exact
import PGClient
import ReconRules

/// The load stage: a night's programs, stored subjects and facts, read in bulk over the night's
/// connections (`NightConnections`), at once where there are connections for it. The SQL of
/// the stored subjects is in `StoredSubjects+Reading`, that of the facts in `FactReader`.
///
/// A first night (no final subject yet) reads every fact. A later night reads only what the
/// unsettled subjects need (`FactReader+Unsettled`), in two steps around the stored keys; with
/// two connections of each kind, the open subjects' accounts are read ahead meanwhile
/// (`AccountsReadAhead`). A rerun reads every subject's facts, final or not.
struct NightLoader {
    let connections: NightConnections
    let asOf: Instant

    /// What `run` evaluates: the subjects that are not final, with the stored subjects.
    func loadNight() throws -> LoadedNight {
        let programs = try ProgramCatalog(connection: connections.control).load(only: nil)
        let (stored, facts) = try hasFinalSubjects() ? laterNight(programs: programs) : firstNight(programs: programs)
        return LoadedNight(programs: programs, facts: facts, stored: stored, skipsFinal: true, observed: nil)
    }

    /// What a rerun (of `programID`, or of all) evaluates: every subject, final or not, with the
    /// grants already held and the standing earlier nights saw.
    func loadEverySubject(programID: String?) throws -> LoadedNight {
        let control = connections.control
        let programs = try ProgramCatalog(connection: control).load(only: programID)
        var stored = StoredSubjects()
        let ((held, observed), facts) = try concurrently({
            (try StoredSubjects.loadHeldGrants(control), try StoredSubjects.loadStandingObserved(control))
        }, { try readEveryFact(programs: programs) })
        stored.final.held = held
        return LoadedNight(programs: programs, facts: facts, stored: stored, skipsFinal: false, observed: observed)
    }

    /// Whether any stored subject is final: false on the first night, which reads every fact.
    func hasFinalSubjects() throws -> Bool {
        let result = try connections.control.execute("SELECT EXISTS (SELECT 1 FROM recon.subject_status WHERE final)")
        return try result.rows.first?.decode(0, as: Bool.self) ?? false
    }

    /// Every stored subject and every fact, read at once.
    func firstNight(programs: [Program]) throws -> (StoredSubjects, Facts) {
        try concurrently({ try storedSubjects() }, { try readEveryFact(programs: programs) })
    }

    /// Every fact: the accounts and enrolments on the second billing connection, if any, while
    /// the integrations and codes come on the first.
    func readEveryFact(programs: [Program]) throws -> Facts {
        let readers = connections.readers(asOf: asOf)
        guard readers.count > 1 else { return try readers[0].readSubjects(programs: programs) }
        return try readers[0].readSubjects(programs: programs, accountsFrom: readers[1])
    }

    /// The stored subjects: the final ones' keys on `control` and, at the same time on the
    /// second recon connection when there is one, the open ones' decisions.
    func storedSubjects() throws -> StoredSubjects {
        let control = connections.control
        guard let second = connections.secondRecon else {
            return StoredSubjects(final: try StoredSubjects.loadFinalSubjects(control),
                                  open: try StoredSubjects.loadOpenSubjects(control).open)
        }
        let (final, (open, _)) = try concurrently({ try StoredSubjects.loadFinalSubjects(control) },
                                                  { try StoredSubjects.loadOpenSubjects(second) })
        return StoredSubjects(final: final, open: open)
    }

    /// The stored subjects and the facts the unsettled ones need.
    func laterNight(programs: [Program]) throws -> (StoredSubjects, Facts) {
        let readers = connections.readers(asOf: asOf)
        guard let second = connections.secondRecon, readers.count > 1 else {
            let (stored, rows) = try concurrently({ try storedSubjects() }, { try readers[0].readSubjectRows(programs: programs) })
            let needed = FactReader.neededIntegrations(rows.integrations, programs: programs) {
                stored.isFinal(program: $0, integrationID: $1)
            }
            let ids = FactReader.neededAccountIDs(needed, codes: rows.codes).ids.sorted()
            let readAhead = try AccountsReadAhead(reading: ids, over: readers[0])
            return (stored, try readers[0].readUnsettledFacts(programs: programs, rows: rows, needed: needed, readAhead: readAhead))
        }
        // Three branches: the open subjects, then their accounts read ahead; the final keys; the
        // integrations and codes, then (once the final keys are in) the integrations the
        // unsettled subjects need, found while the accounts are still coming.
        let control = connections.control
        let ((open, readAhead), (final, rows, needed)) = try concurrently({
            let (open, accountIDs) = try StoredSubjects.loadOpenSubjects(second)
            return (open, try AccountsReadAhead(reading: accountIDs.sortedDistinct(), over: readers[1]))
        }, {
            let (final, rows) = try concurrently({ try StoredSubjects.loadFinalSubjects(control) },
                                                 { try readers[0].readSubjectRows(programs: programs) })
            let needed = FactReader.neededIntegrations(rows.integrations, programs: programs) {
                final.contains(program: $0, key: .integration($1))
            }
            return (final, rows, needed)
        })
        let facts = try readers[0].readUnsettledFacts(programs: programs, rows: rows, needed: needed, readAhead: readAhead)
        return (StoredSubjects(final: final, open: open), facts)
    }
}
