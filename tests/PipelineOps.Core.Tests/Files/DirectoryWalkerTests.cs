using PipelineOps.Files;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Files;

public sealed class DirectoryWalkerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private List<string> Walk(string? filter, bool recurse, List<string>? errors = null) =>
        DirectoryWalker.EnumerateFiles(new DirectoryInfo(_dir.Path), filter, recurse, (p, _) => errors?.Add(p))
            .Select(f => Path.GetRelativePath(_dir.Path, f.FullName).Replace('\\', '/')).ToList();

    [Fact]
    public void Lists_files_in_name_order_and_subdirectories_only_when_asked()
    {
        _dir.File("b.txt");
        _dir.File("a.jsonl");
        _dir.File("sub/c.txt");
        _dir.File("sub/deeper/d.txt");

        Assert.Equal(["a.jsonl", "b.txt"], Walk(null, recurse: false));
        Assert.Equal(["a.jsonl", "b.txt", "sub/c.txt", "sub/deeper/d.txt"], Walk(null, recurse: true));
        Assert.Equal(["b.txt", "sub/c.txt", "sub/deeper/d.txt"], Walk("*.txt", recurse: true));
    }

    [Fact]
    public void Directory_links_are_not_followed()
    {
        _dir.File("real/a.txt");
        Directory.CreateSymbolicLink(Path.Combine(_dir.Path, "loop"), _dir.Path);

        Assert.Equal(["real/a.txt"], Walk(null, recurse: true));
    }

    [Fact]
    public void Cancellation_stops_the_walk()
    {
        _dir.File("a.txt");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() =>
            DirectoryWalker.EnumerateFiles(new DirectoryInfo(_dir.Path), null, true, (_, _) => { }, cancelled.Token).ToList());
    }
}
