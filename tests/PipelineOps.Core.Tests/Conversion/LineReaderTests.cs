using System.Text;
using PipelineOps.Conversion;

namespace PipelineOps.Tests.Conversion;

public class LineReaderTests
{
    /// <summary>Hands out its bytes a few at a time, as a pipe or a slow disk might.</summary>
    private sealed class TrickleStream(byte[] data, int seed) : MemoryStream(data)
    {
        private readonly Random _random = new(seed);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, _random.Next(1, 8)));
    }

    private static List<(long Number, long Offset, string Text, bool TooLong)> ReadAll(string content, int maxLineBytes, out long tornTail, int seed = 1)
    {
        var reader = new LineReader(new TrickleStream(Encoding.UTF8.GetBytes(content), seed), maxLineBytes);
        var lines = new List<(long, long, string, bool)>();
        while (reader.TryRead(out var line))
        {
            lines.Add((line.Number, line.Offset, Encoding.UTF8.GetString(line.Bytes), line.TooLong));
        }

        tornTail = reader.TornTailBytes;
        return lines;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Lines_come_out_whole_with_numbers_and_offsets_however_the_bytes_arrive(int seed)
    {
        var lines = ReadAll("\uFEFFfirst\r\nsecond\n\nthird\n", 64, out var torn, seed);

        Assert.Equal([(1L, 3L, "first", false), (2L, 10L, "second", false), (3L, 17L, "", false), (4L, 18L, "third", false)], lines);
        Assert.Equal(0, torn);
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_skipped_over_and_reported_with_its_length()
    {
        var lines = ReadAll("ok\n" + new string('x', 5000) + "\nafter\n" + new string('y', 70) + "\n", 64, out _);

        Assert.Equal(["ok", "", "after", ""], lines.Select(l => l.Text));
        Assert.Equal([false, true, false, true], lines.Select(l => l.TooLong));
        Assert.Equal([1L, 2L, 3L, 4L], lines.Select(l => l.Number));
        Assert.Equal(3L + 5001 + 6, lines[3].Offset);
    }

    [Fact]
    public void Bytes_after_the_last_newline_are_a_torn_tail_not_a_line()
    {
        var lines = ReadAll("one\ntwo\n{\"cut", 64, out var torn);

        Assert.Equal(["one", "two"], lines.Select(l => l.Text));
        Assert.Equal(5, torn);
    }
}
