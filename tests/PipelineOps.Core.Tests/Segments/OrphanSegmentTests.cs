using PipelineOps.Conversion;
using PipelineOps.Segments;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Segments;

public sealed class OrphanSegmentTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Record(long id) =>
        $"{{\"id\":{id},\"side\":\"buy\",\"price\":{id}.25,\"time\":\"2026-11-28T10:00:{id % 60:D2}.000000Z\"}}";

    private string ActivePath(string root, string name) => Path.Combine(SegmentLayout.Active(root), "tick", "side=buy", name);

    private static long RowsIn(IEnumerable<string> files) => files.Sum(f => ParquetFileCheck.Inspect(f, deep: true) is { IsValid: true } r ? r.Rows : -1_000_000);

    /// <summary>One copy of <paramref name="bytes"/> cut at each offset from <paramref name="from"/>, all in one active/
    /// (names carry the offset), and what one Move-OrphanSegment run made of each, by offset.</summary>
    private Dictionary<int, SegmentResult> CutAndRecover(byte[] bytes, int from, string extension)
    {
        var root = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N"));
        var cuts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var cut = from; cut <= bytes.Length; cut++)
        {
            var path = ActivePath(root, $"tick_20261128_{cut:D4}{extension}");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes[..cut]);
            cuts[path] = cut;
        }

        return new OrphanSegments(root).Run().ToDictionary(r => cuts[r.Source]);
    }

    [Fact]
    public void A_journal_cut_at_every_byte_of_its_last_write_gives_exactly_its_complete_rows_and_keeps_the_original()
    {
        var content = string.Concat(Enumerable.Range(1, 6).Select(i => Record(i) + "\n"));
        var bytes = System.Text.Encoding.UTF8.GetBytes(content);
        var lastWrite = content.LastIndexOf('\n', content.Length - 2) + 1;

        var results = CutAndRecover(bytes, lastWrite, SegmentLayout.JournalExtension);

        Assert.Equal(Enumerable.Range(lastWrite, bytes.Length - lastWrite + 1), results.Keys.Order());
        foreach (var (cut, result) in results)
        {
            // A last record cut just before its newline is still a whole record (the shared line rules): it is kept too.
            var whole = cut == bytes.Length - 1;
            var complete = bytes[..cut].Count(b => b == (byte)'\n') + (whole ? 1 : 0);
            Assert.Equal(SegmentAction.Salvaged, result.Action);
            Assert.Equal(complete, result.Rows);
            Assert.Equal(complete, RowsIn(result.Outputs));
            Assert.All(result.Outputs, o => Assert.Contains($"{Path.DirectorySeparatorChar}ready{Path.DirectorySeparatorChar}tick", o, StringComparison.Ordinal));
            Assert.False(File.Exists(result.Source));
            if (bytes[cut - 1] != (byte)'\n' && !whole)
            {
                Assert.Equal(bytes[..cut], File.ReadAllBytes(result.Quarantined!)); // the original, kept
            }
            else
            {
                Assert.Null(result.Quarantined);
            }
        }
    }

    [Fact]
    public void A_parquet_file_cut_at_every_byte_of_its_last_row_group_and_footer_is_quarantined_whole_never_moved_or_deleted()
    {
        // A whole file, made by the segment compactor itself.
        var source = Path.Combine(_temp.Path, "make");
        var journal = ActivePath(source, "tick_20261128_0001" + SegmentLayout.JournalExtension);
        Directory.CreateDirectory(Path.GetDirectoryName(journal)!);
        File.WriteAllText(journal, string.Concat(Enumerable.Range(1, 40).Select(i => Record(i) + "\n")));
        var made = new OrphanSegments(source).Run().Single().Destination!;
        var bytes = File.ReadAllBytes(made);
        var footer = BitConverter.ToInt32(bytes, bytes.Length - 8);
        var from = Math.Max(4, bytes.Length - 8 - footer - 64); // the end of the last data page, the footer and its length

        var results = CutAndRecover(bytes, from, ".parquet");

        foreach (var (cut, result) in results)
        {
            if (cut == bytes.Length)
            {
                Assert.Equal(SegmentAction.Moved, result.Action);
                Assert.Equal(40, result.Rows);
                Assert.Equal(bytes, File.ReadAllBytes(result.Destination!));
                Assert.EndsWith(Path.Combine("ready", "tick", "side=buy", $"tick_20261128_{cut:D4}.parquet"), result.Destination!, StringComparison.Ordinal);
                continue;
            }

            Assert.Equal(SegmentAction.Quarantined, result.Action);
            Assert.Contains($"{Path.DirectorySeparatorChar}quarantine{Path.DirectorySeparatorChar}", result.Destination!, StringComparison.Ordinal);
            Assert.Equal(bytes[..cut], File.ReadAllBytes(result.Destination!));
        }

        Assert.Single(results.Values, r => r.Action == SegmentAction.Moved);
    }

    [Fact]
    public void A_stream_whose_lock_is_held_is_skipped_and_an_empty_journal_is_quarantined_not_deleted()
    {
        var held = ActivePath(_temp.Path, "tick_20261128_0001" + SegmentLayout.JournalExtension);
        Directory.CreateDirectory(Path.GetDirectoryName(held)!);
        File.WriteAllText(held, Record(1) + "\n");
        var empty = Path.Combine(SegmentLayout.Active(_temp.Path), "other", "other_20261128_0001" + SegmentLayout.JournalExtension);
        Directory.CreateDirectory(Path.GetDirectoryName(empty)!);
        File.WriteAllText(empty, "");
        var lockPath = SegmentSink.LockPath(_temp.Path, "tick");
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);

        IReadOnlyList<SegmentResult> results;
        using (new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            results = new OrphanSegments(_temp.Path).Run().ToList();
        }

        Assert.Equal(SegmentAction.Quarantined, results.Single(r => r.Source == empty).Action);
        Assert.True(File.Exists(results.Single(r => r.Source == empty).Destination));
        Assert.Equal(SegmentAction.SkippedActive, results.Single(r => r.Source == held).Action);
        Assert.True(File.Exists(held));

        var declined = new OrphanSegments(_temp.Path).Run((_, _) => false).ToList(); // -WhatIf
        Assert.Empty(declined);
        Assert.True(File.Exists(held));
    }

    [Fact]
    public void A_journal_that_cannot_be_closed_stays_in_active_untouched_and_the_others_go_on()
    {
        var blocked = ActivePath(_temp.Path, "tick_20261128_0001" + SegmentLayout.JournalExtension);
        Directory.CreateDirectory(Path.GetDirectoryName(blocked)!);
        File.WriteAllText(blocked, Record(1) + "\n");
        var other = Path.Combine(SegmentLayout.Active(_temp.Path), "other", "other_20261128_0001" + SegmentLayout.JournalExtension);
        Directory.CreateDirectory(Path.GetDirectoryName(other)!);
        File.WriteAllText(other, Record(2) + "\n");
        // ready/tick cannot be made: a file is in the way (as a full or read-only disk would refuse it).
        Directory.CreateDirectory(SegmentLayout.Ready(_temp.Path));
        File.WriteAllText(Path.Combine(SegmentLayout.Ready(_temp.Path), "tick"), "in the way");
        var errors = new List<string>();

        var results = new OrphanSegments(_temp.Path).Run(onError: (file, _) => errors.Add(file)).ToList();

        Assert.Equal([blocked], errors);
        Assert.Equal(Record(1) + "\n", File.ReadAllText(blocked));
        Assert.Equal(SegmentAction.Salvaged, results.Single().Action);
        Assert.Equal(other, results.Single().Source);
    }
}
