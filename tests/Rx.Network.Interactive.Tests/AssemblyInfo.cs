// The formatters are registered in .NET Interactive's process-wide Formatter: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
