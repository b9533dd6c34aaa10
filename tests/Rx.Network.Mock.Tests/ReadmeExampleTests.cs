using System.Text.RegularExpressions;

namespace Rx.Network.Mock.Tests;

/// <summary>Keeps the example of src/Rx.Network.Mock/README.md identical to the test that runs it (MyService.Tests.GreeterServiceTests).</summary>
public partial class ReadmeExampleTests
{
    [Fact]
    public void Readme_Example_IsTheCodeOfGreeterServiceTests()
    {
        string root = FindRepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "src", "Rx.Network.Mock", "README.md"));
        string test = File.ReadAllText(Path.Combine(root, "tests", "Rx.Network.Mock.Tests", "GreeterServiceTests.cs"));

        var block = CSharpBlock().Match(readme);

        Assert.True(block.Success, "The README has no ```csharp block.");
        Assert.Equal(Normalize(test), Normalize(block.Groups["code"].Value));
    }

    private static string Normalize(string code) => code.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RxNet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RxNet.sln not found above the test's directory.");
    }

    [GeneratedRegex("```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
