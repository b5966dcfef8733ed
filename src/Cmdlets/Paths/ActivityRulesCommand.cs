using System.Management.Automation;
using PipelineOps.Files;

namespace PipelineOps.Paths;

/// <summary>File cmdlets that judge files by Test-FileActive's rules: -IncludeLatest and -QuietPeriod, declared once.</summary>
public abstract class ActivityRulesCommand : FileInputCommand
{
    /// <summary>Do not treat the newest file of a series as active.</summary>
    [Parameter]
    public SwitchParameter IncludeLatest { get; set; }

    /// <summary>Files written more recently than this are RecentlyModified.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan QuietPeriod { get; set; } = FileActivityOptions.DefaultQuietPeriod;

    /// <summary>The rules as given; a negative duration stops the command (NegativeDuration).</summary>
    protected FileActivityOptions ActivityOptions(TimeSpan? stabilityWindow = null)
    {
        DurationChecks.RequireNotNegative(this, nameof(QuietPeriod), QuietPeriod);
        DurationChecks.RequireNotNegative(this, "StabilityWindow", stabilityWindow ?? TimeSpan.Zero);
        return new FileActivityOptions
        {
            QuietPeriod = QuietPeriod,
            IncludeLatest = IncludeLatest,
            StabilityWindow = stabilityWindow > TimeSpan.Zero ? stabilityWindow : null,
        };
    }
}
