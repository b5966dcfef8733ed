using System.Text.RegularExpressions;
using PipelineOps.Staging;

namespace PipelineOps.Tests.Staging;

public sealed class BronzePathTests
{
    private static readonly Regex Env = new(BronzePath.DefaultEnvironmentPattern);
    private static readonly DateTime Written = new(2026, 1, 18, 14, 30, 0, DateTimeKind.Utc);

    [Fact]
    public void Maps_the_design_example()
    {
        Assert.Equal("bronze/2026/01/18/143000--data.csv", BronzePath.Map("env0/data.csv", Written, Env));
    }

    [Fact]
    public void Keeps_subfolders_below_the_environment_and_uses_utc()
    {
        var local = new DateTime(2026, 1, 18, 23, 30, 5, DateTimeKind.Utc).ToLocalTime();
        Assert.Equal("bronze/2026/01/18/orders/eu/233005--o.parquet", BronzePath.Map(@"env12\orders\eu\o.parquet", local, Env));
    }

    [Fact]
    public void Without_a_pattern_every_segment_stays()
    {
        Assert.Equal("bronze/2026/01/18/env0/143000--data.csv", BronzePath.Map("env0/data.csv", Written, null));
    }

    [Fact]
    public void Alternatives_keep_the_file_name_whole()
    {
        Assert.Equal("bronze/2026/01/18/143000-2--data.csv.gz", BronzePath.Map("env1/data.csv.gz", Written, Env, attempt: 2));
    }

    [Theory]
    [InlineData("../secret.csv")]
    [InlineData("env0/../../x.csv")]
    [InlineData("")]
    public void Refuses_paths_that_leave_the_raw_root(string raw)
    {
        Assert.Throws<ArgumentException>(() => BronzePath.Map(raw, Written, Env));
    }
}
