using System.Management.Automation;
using PipelineOps.Module.Tests.Support;

namespace PipelineOps.Module.Tests;

/// <summary>Every exported cmdlet has real help: synopsis, description, every parameter, examples.</summary>
/// <remarks>Runs alone: once, while other test classes opened runspaces importing the module in the same process,
/// Get-Help found no parameters for one cmdlet. Users load help in one session at a time.</remarks>
[Collection(nameof(HelpTests))]
public sealed class HelpTests : IDisposable
{
    private static readonly HashSet<string> CommonParameters =
        [.. Cmdlet.CommonParameters, .. Cmdlet.OptionalCommonParameters];

    private readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    public static TheoryData<string> Cmdlets()
    {
        using var ps = new PowerShellSession();
        var data = new TheoryData<string>();
        foreach (var name in ps.Run("(Get-Command -Module PipelineOps).Name").Strings)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Help_has_a_synopsis_a_description_and_examples(string cmdlet)
    {
        var help = _ps.Run("Get-Help $c -Full", ("c", cmdlet)).Output.Single();

        var synopsis = help.Properties["Synopsis"].Value?.ToString()?.Trim() ?? "";
        Assert.False(string.IsNullOrEmpty(synopsis));
        Assert.DoesNotContain(cmdlet + " ", synopsis, StringComparison.Ordinal); // not the generated syntax line
        Assert.NotEmpty(_ps.Run("(Get-Help $c -Full).description.Text -join ''", ("c", cmdlet)).Strings.Single());
        var examples = _ps.Run("(Get-Help $c -Examples).examples.example | ForEach-Object code", ("c", cmdlet)).Strings.ToArray();
        Assert.NotEmpty(examples);
        Assert.All(examples, code => Assert.Contains(cmdlet, code, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Help_describes_exactly_the_parameters_the_cmdlet_has(string cmdlet)
    {
        var actual = _ps.Run("(Get-Command $c).Parameters.Keys", ("c", cmdlet)).Strings
            .Where(p => !CommonParameters.Contains(p)).Order(StringComparer.Ordinal).ToArray();
        var help = _ps.Run("(Get-Help $c -Full).parameters.parameter | ForEach-Object name", ("c", cmdlet));
        Assert.Empty(help.Errors.Select(e => e.ToString()));
        var documented = help.Strings.Where(p => !CommonParameters.Contains(p)).Order(StringComparer.Ordinal).ToArray();
        var undescribed = _ps.Run(
            "(Get-Help $c -Full).parameters.parameter | Where-Object { -not ($_.description.Text -join '').Trim() } | ForEach-Object name",
            ("c", cmdlet)).Strings.ToArray();

        Assert.Equal(actual, documented);
        Assert.Empty(undescribed);
    }

    [Fact]
    public void The_about_topic_is_found()
    {
        var text = string.Join("\n", _ps.Run("Get-Help about_PipelineOps").Strings);

        Assert.Contains("about_PipelineOps", text, StringComparison.Ordinal);
        Assert.Contains("Test-FileActive", text, StringComparison.Ordinal);
    }
}

[CollectionDefinition(nameof(HelpTests), DisableParallelization = true)]
public sealed class HelpTestsCollection;
