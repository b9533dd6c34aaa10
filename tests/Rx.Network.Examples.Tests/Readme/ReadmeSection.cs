using System.Text.RegularExpressions;

namespace Rx.Network.Examples.Tests.Readme;

/// <summary>One <c>## </c> section of the repository's README.md and the fenced code blocks in it.</summary>
internal sealed partial class ReadmeSection
{
    private ReadmeSection(string heading, string text)
    {
        Heading = heading;
        Text = text;
    }

    public string Heading { get; }

    /// <summary>The section's text, from its heading to the next <c>## </c> heading.</summary>
    public string Text { get; }

    /// <summary>The repository's README.md (the clone the tests were built from).</summary>
    public static string ReadmePath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RxNet.sln")))
                {
                    return Path.Combine(dir.FullName, "README.md");
                }
            }

            throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds RxNet.sln.");
        }
    }

    /// <summary>The section headed <c>## <paramref name="heading"/></c> of README.md.</summary>
    /// <exception cref="InvalidOperationException">README.md has no such section.</exception>
    public static ReadmeSection Find(string heading)
    {
        var lines = File.ReadAllLines(ReadmePath);
        int start = Array.FindIndex(lines, l => l.TrimEnd() == "## " + heading);
        if (start < 0)
        {
            throw new InvalidOperationException($"README.md has no '## {heading}' section.");
        }

        int end = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        var body = lines[start..(end < 0 ? lines.Length : end)];
        return new ReadmeSection(heading, string.Join('\n', body));
    }

    /// <summary>The fenced code blocks of the section, in order, with their info string (language).</summary>
    public IReadOnlyList<(string Language, string Code)> CodeBlocks() =>
        Fence().Matches(Text).Select(m => (m.Groups["lang"].Value.Trim(), m.Groups["code"].Value)).ToArray();

    [GeneratedRegex(@"^```(?<lang>[^\n`]*)\n(?<code>.*?)^```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();
}
