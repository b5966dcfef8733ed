using PipelineOps.Conversion;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Conversion;

/// <summary>What a person finds when reading or grepping a rejects file.</summary>
public sealed class QuarantineTextTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_bad_line_keeps_its_text_readable_and_its_error_agrees_with_its_line_number()
    {
        var source = _dir.File(Path.Combine("raw", "messy_20251101.jsonl"), "{\"n\":1}\n{\"n\":2}\n{\"n\":4,\"city\":\"Zürich\",\"x\":}\n");
        var destination = Path.Combine(_dir.Path, "dataset");

        using var run = ConversionRun.Open(new ConversionOptions { Destination = destination });
        var result = run.Convert(source);

        Assert.Equal(1, result.BadLines);
        var line = Assert.Single(File.ReadAllLines(result.RejectsFile!));
        Assert.Contains("\"line\":3,", line, StringComparison.Ordinal);
        Assert.Contains("""{\"n\":4,\"city\":\"Zürich\",\"x\":}""", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", line, StringComparison.Ordinal);
        Assert.Contains("(at byte 29 of the line)", line, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", line, StringComparison.Ordinal);
    }

    [Fact]
    public void The_bad_lines_are_also_kept_as_the_source_had_them_so_a_plain_grep_finds_them()
    {
        var bad = "{\"n\":4,\"city\":\"Zürich\",\"x\":}";
        var notUtf8 = new byte[] { (byte)'{', (byte)'"', (byte)'v', (byte)'"', (byte)':', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)'}' };
        var source = _dir.File(Path.Combine("raw", "messy_20251101.jsonl"), "");
        File.WriteAllBytes(source, [.. "{\"n\":1}\n"u8, .. System.Text.Encoding.UTF8.GetBytes(bad + "\n"), .. notUtf8, (byte)'\n', .. "{\"n\":5}\n"u8]);
        var destination = Path.Combine(_dir.Path, "dataset");

        ConversionResult result;
        using (var run = ConversionRun.Open(new ConversionOptions { Destination = destination }))
        {
            result = run.Convert(source);
        }

        Assert.Equal(2, result.BadLines);
        var plain = Path.ChangeExtension(result.RejectsFile!, ".txt");
        Assert.Equal([.. System.Text.Encoding.UTF8.GetBytes(bad + "\n"), .. notUtf8, (byte)'\n'], File.ReadAllBytes(plain));
        Assert.Contains("\"n\":4", File.ReadAllText(plain), StringComparison.Ordinal);

        // A clean re-run of a fixed source removes both files.
        File.WriteAllText(source, "{\"n\":1}\n{\"n\":5}\n");
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow.AddHours(-2));
        using var again = ConversionRun.Open(new ConversionOptions { Destination = destination });
        Assert.Equal(0, again.Convert(source).BadLines);
        Assert.False(File.Exists(plain));
        Assert.False(File.Exists(result.RejectsFile));
    }
}
