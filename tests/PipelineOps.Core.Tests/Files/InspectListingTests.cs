using PipelineOps.Files;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Files;

public sealed class InspectListingTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 11, 14, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new(Now);

    public void Dispose() => _dir.Dispose();

    private FileActivityInspector Inspector() => new(new FileActivityOptions(), _clock, UnavailableWriterProbe.Instance);

    private DirectoryListing Listing(string? filter = null) =>
        DirectoryWalker.EnumerateListings(_dir.Path, filter, recurse: false, (_, e) => throw e).Single();

    [Fact]
    public void A_large_listing_is_answered_in_name_order_exactly_as_file_by_file()
    {
        var old = Now.UtcDateTime.AddDays(-1);
        for (var i = 0; i < 500; i++)
        {
            _dir.File($"s{i % 7}_{new DateTime(2025, 1, 1).AddDays(i / 7):yyyyMMdd}.jsonl", i % 13 == 0 ? "{\"a\"" : "{}\n", i % 11 == 0 ? Now.UtcDateTime : old);
        }

        var listing = Listing();
        var together = Inspector().InspectListing(listing);
        var oneByOne = listing.Files.Select(f => Inspector().Inspect(new FileInfo(f.FullPath))).ToList();

        Assert.Equal(500, together.Count);
        Assert.Equal(listing.Files.Select(f => f.FullPath), together.Select(o => o.Path));
        Assert.Equal(oneByOne.Select(a => (a.Path, string.Join(",", a.Reasons))),
            together.Select(o => (o.Activity!.Path, string.Join(",", o.Activity.Reasons))));
        Assert.Contains(together, o => o.Activity!.Reasons.SequenceEqual([ActivityReason.Latest]));
        Assert.Contains(together, o => o.Activity!.Reasons.Contains(ActivityReason.TornTail));
        Assert.Contains(together, o => !o.Activity!.IsActive);
    }

    [Fact]
    public void A_filtered_listing_still_judges_Latest_against_the_whole_directory()
    {
        var old = Now.UtcDateTime.AddDays(-1);
        _dir.File("level2_20251113.jsonl", "{}\n", old);
        _dir.File("level2_20251114.txt", "{}\n", old);

        var result = Inspector().InspectListing(Listing("*.jsonl")).Single();

        Assert.False(result.Activity!.IsActive);
    }

    [Fact]
    public void A_file_that_vanished_after_listing_gets_an_error_in_its_slot()
    {
        var old = Now.UtcDateTime.AddDays(-1);
        _dir.File("a.jsonl", "{}\n", old);
        var gone = _dir.File("b.jsonl", "{}\n", old);
        _dir.File("c.jsonl", "{}\n", old);
        var listing = Listing();
        File.Delete(gone);

        var outcomes = Inspector().InspectListing(listing);

        Assert.IsType<FileNotFoundException>(outcomes[1].Error);
        Assert.Equal(gone, outcomes[1].Path);
        Assert.NotNull(outcomes[0].Activity);
        Assert.NotNull(outcomes[2].Activity);
    }

    [Fact]
    public void A_listing_narrowed_after_the_walk_still_judges_Latest_against_the_whole_directory()
    {
        var old = Now.UtcDateTime.AddDays(-1);
        _dir.File("level2_20251113.jsonl", "{}\n", old);
        _dir.File("level2_20251114.csv", "a\n", old);

        var narrowed = Listing().Where(f => f.Name.EndsWith(".jsonl", StringComparison.Ordinal));
        var result = Inspector().InspectListing(narrowed).Single();

        Assert.False(narrowed.IsComplete);
        Assert.False(result.Activity!.IsActive);
        Assert.True(Listing().Where(_ => true).IsComplete);
    }
}
