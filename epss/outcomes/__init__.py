"""What became of cases, as the case software reports them, set against whether the
guidance was consulted: intake (`intake`); the quality question is `epss.quality.impact`."""
