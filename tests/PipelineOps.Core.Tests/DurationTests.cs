using PipelineOps.Text;

namespace PipelineOps.Tests;

public class DurationTests
{
    [Theory]
    [InlineData("90", 90)]
    [InlineData("250ms", 0.25)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1.5h", 5400)]
    [InlineData("1d", 86400)]
    [InlineData("00:05:00", 300)]
    [InlineData("1.02:00:00", 93600)]
    public void Reads_what_operators_type(string text, double seconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("five minutes")]
    [InlineData("5 weeks")]
    public void Rejects_anything_else(string text)
    {
        Assert.False(Duration.TryParse(text, out _));
    }
}
