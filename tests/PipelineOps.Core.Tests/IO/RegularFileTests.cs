using System.Diagnostics;
using PipelineOps.IO;
using PipelineOps.Tests.Support;
using Xunit;

namespace PipelineOps.Tests.IO;

public sealed class RegularFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OpensARegularFileAndReportsWhatTheHandleSees()
    {
        var when = new DateTime(2025, 11, 14, 1, 2, 3, DateTimeKind.Utc);
        var path = _dir.File("a.jsonl", "{\"a\":1}\n", when);

        using var stream = RegularFile.OpenRead(path, followLinks: false, out var info);

        Assert.Equal(8, info.Length);
        Assert.Equal(when, info.LastWriteTimeUtc);
        Assert.Equal(1, info.LinkCount);
        Assert.Equal("{\"a\":1}\n", new StreamReader(stream).ReadToEnd());
    }

    [Fact]
    public void RefusesASymbolicLinkUnlessAskedToFollowIt()
    {
        var target = _dir.File("target.jsonl", "{\"a\":1}\n");
        var link = Path.Combine(_dir.Path, "link.jsonl");
        File.CreateSymbolicLink(link, target);

        var refused = Assert.Throws<NotRegularFileException>(() => RegularFile.OpenRead(link, followLinks: false, out _));
        Assert.Equal("symbolic link", refused.Kind);
        Assert.Contains("link.jsonl", refused.Message);

        using var followed = RegularFile.OpenRead(link, followLinks: true, out var info);
        Assert.Equal(8, info.Length);   // the target's length, not the link text's
    }

    [Fact]
    public async Task RefusesAFifoAtOnceInsteadOfBlocking()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fifo = Path.Combine(_dir.Path, "pipe.jsonl");
        Process.Start("mkfifo", fifo)!.WaitForExit();

        // No writer ever opens the FIFO: a blocking open would never return.
        var open = Task.Run(() => RegularFile.Inspect(fifo, followLinks: true, out var why) is null ? why : "opened");
        Assert.Equal("FIFO", await open.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void RefusesDevicesAndDirectoriesAndLinksToDevices()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var link = Path.Combine(_dir.Path, "zero.jsonl");
        File.CreateSymbolicLink(link, "/dev/zero");

        Assert.Equal("character device", Assert.Throws<NotRegularFileException>(() => RegularFile.OpenRead(link, true, out _)).Kind);
        Assert.Null(RegularFile.Inspect(_dir.Path, followLinks: true, out var why));
        Assert.Equal("directory", why);
    }

    [Fact]
    public void CountsHardLinks()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _dir.File("data.csv", "a,b\n");
        Process.Start("ln", [path, Path.Combine(_dir.Path, "other.csv")])!.WaitForExit();

        Assert.Equal(2, RegularFile.Inspect(path, followLinks: false, out _)!.LinkCount);
    }

    [Fact]
    public void AMissingFileIsNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => RegularFile.OpenRead(Path.Combine(_dir.Path, "gone"), false, out _));
    }
}
