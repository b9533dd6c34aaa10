// The runner redirects Console.Out and Console.Error for the whole process while a notebook runs,
// so the tests of this assembly run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
