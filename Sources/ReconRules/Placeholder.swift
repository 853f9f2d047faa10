public enum ReconRulesPlaceholder {}
