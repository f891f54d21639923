"""Lead scoring: workspace-defined fit and engagement rules, every contribution kept with its
reason, decay by half-life, thresholds that record a timeline event."""
