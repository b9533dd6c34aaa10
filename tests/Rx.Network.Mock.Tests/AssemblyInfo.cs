// The mock network's idle detection watches the whole thread pool: tests running in parallel
// would only make every wait longer (and the wall-clock guard less meaningful).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
