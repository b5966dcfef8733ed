using System.Text;
using System.Text.Json;
using PipelineOps.Conversion;

namespace PipelineOps.Tests.Conversion;

public sealed class UtcTimeTextTests
{
    [Theory]
    [InlineData("2025-11-14T00:00:00.001336Z", true)]
    [InlineData("2025-11-14T00:00:00Z", true)]
    [InlineData("2025-11-14T23:59:59.9999999Z", true)]
    [InlineData("2024-02-29T12:00:00.5Z", true)]
    [InlineData("0001-01-01T00:00:00Z", true)]
    [InlineData("2025-02-29T12:00:00Z", false)]
    [InlineData("2025-11-14T24:00:00Z", false)]
    [InlineData("2025-11-14T00:60:00Z", false)]
    [InlineData("2025-11-14T00:00:00.Z", false)]
    [InlineData("2025-11-14T00:00:00.123456789Z", false)]
    [InlineData("2025-11-14T00:00:00+02:00", false)]
    [InlineData("2025-11-14 00:00:00Z", false)]
    [InlineData("2025-1-14T00:00:00.00Z", false)]
    [InlineData("2025-11-14T00:00:00.12a4Z", false)]
    [InlineData("2025-11-14T0a:00:00Z", false)]
    public void The_fast_path_reads_only_what_the_general_parser_reads_the_same_way(string text, bool fast)
    {
        var accepted = UtcTimeText.TryParse(Encoding.UTF8.GetBytes(text), out var time);

        Assert.Equal(fast, accepted);
        if (accepted)
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes($"\"{text}\""));
            reader.Read();
            Assert.True(reader.TryGetDateTimeOffset(out var general));
            Assert.Equal(general.UtcDateTime, time);
            Assert.Equal(DateTimeKind.Utc, time.Kind);
        }
    }
}
