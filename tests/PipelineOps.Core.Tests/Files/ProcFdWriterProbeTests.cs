using PipelineOps.Files;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Files;

/// <summary>Linux /proc probe, against real descriptors held by this process and by a child process.</summary>
public sealed class ProcFdWriterProbeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ProcFdWriterProbe NewProbe() => new(TimeProvider.System);

    private static FileEntry Entry(string path) => FileEntry.Of(new FileInfo(path));

    [Fact]
    public void A_file_this_process_holds_open_for_writing_names_this_process()
    {
        Assert.True(OperatingSystem.IsLinux(), "these tests need Linux /proc");
        var path = _dir.File("open.jsonl", "{}\n");
        using var writer = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);

        var writers = NewProbe().WritersOf(Entry(path));

        Assert.Contains(writers, w => w.StartsWith($"{Environment.ProcessId} ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_held_open_only_for_reading_has_no_writer()
    {
        var path = _dir.File("read.jsonl", "{}\n");
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);

        Assert.Empty(NewProbe().WritersOf(Entry(path)));
    }

    [Fact]
    public void A_writer_in_another_process_is_found_by_pid_and_name_and_through_a_symbolic_link()
    {
        var path = _dir.File("child.jsonl", "{}\n");
        var link = Path.Combine(_dir.Path, "link.jsonl");
        File.CreateSymbolicLink(link, path);
        using (var child = WriterProcess.HoldOpen(path))
        {
            var probe = NewProbe();
            Assert.Equal([$"{child.Id} sleep"], probe.WritersOf(Entry(path)));
            Assert.Equal([$"{child.Id} sleep"], probe.WritersOf(Entry(link)));
        }

        Assert.Empty(NewProbe().WritersOf(Entry(path)));
    }

    [Fact]
    public void Coverage_is_complete_when_every_process_can_be_inspected()
    {
        var probe = NewProbe();
        probe.WritersOf(Entry(_dir.File("x.txt")));

        var canSeeAll = Directory.EnumerateDirectories("/proc")
            .Where(d => int.TryParse(Path.GetFileName(d), out _))
            .All(d => { try { Directory.EnumerateFileSystemEntries(Path.Combine(d, "fd")).Any(); return true; } catch (UnauthorizedAccessException) { return false; } catch (IOException) { return true; } });
        Assert.Equal(canSeeAll ? WriterCheck.Complete : WriterCheck.Partial, probe.Coverage);
    }
}
