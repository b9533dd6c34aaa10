// The notebooks run one at a time: the in-process kernel captures Console output for the whole
// process while a cell runs, the run sets the process's current directory to the notebooks' folder
// (where their NuGet.Config is), and a Jupyter run is a heavy child process on a two-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
