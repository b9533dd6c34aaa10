namespace Rx.Network.Notebooks.Tests.Harness;

public sealed class CellCaptureTests
{
    [Fact]
    public void TakeOutputs_MergesConsecutiveWritesToOneStream()
    {
        var capture = new CellCapture();

        capture.Out.Write("a");
        capture.Out.Write('b');
        capture.Out.WriteLine("c");
        capture.Out.Write("xdx".ToCharArray(), 1, 1);

        Assert.Equal([new CellOutput(CellOutputKind.Stdout, "abc" + Environment.NewLine + "d")], capture.TakeOutputs());
    }

    [Fact]
    public void TakeOutputs_KeepsOrderAcrossKinds()
    {
        var capture = new CellCapture();

        capture.Out.Write("1");
        capture.Error.Write("2");
        capture.Display(3);
        capture.Out.Write("4");
        capture.Result("5");

        Assert.Equal(
            [
                new CellOutput(CellOutputKind.Stdout, "1"),
                new CellOutput(CellOutputKind.Stderr, "2"),
                new CellOutput(CellOutputKind.Display, "3"),
                new CellOutput(CellOutputKind.Stdout, "4"),
                new CellOutput(CellOutputKind.Result, "5"),
            ],
            capture.TakeOutputs());
    }

    [Fact]
    public void TakeOutputs_StartsAfresh()
    {
        var capture = new CellCapture();
        capture.Out.Write("first");
        capture.TakeOutputs();

        capture.Out.Write("second");

        Assert.Equal([new CellOutput(CellOutputKind.Stdout, "second")], capture.TakeOutputs());
        Assert.Empty(capture.TakeOutputs());
    }

    [Fact]
    public async Task Writes_FromManyThreads_AreAllKept()
    {
        var capture = new CellCapture();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            for (int j = 0; j < 100; j++)
            {
                capture.Out.Write("x");
            }
        })));

        Assert.Equal(800, Assert.Single(capture.TakeOutputs()).Text.Length);
    }
}
