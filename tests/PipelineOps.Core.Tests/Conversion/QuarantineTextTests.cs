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
}
