namespace PipelineOps.Files;

/// <summary>The Reason a converter or publisher gives for leaving an active file alone, naming the switch that
/// would take it: a file held back only as the newest of its series wants -IncludeLatest, a recent one a shorter
/// -QuietPeriod, anything else -IncludeActive.</summary>
public static class SkipReason
{
    public static string For(FileActivity activity)
    {
        var hints = new List<string>();
        if (activity.Reasons.All(r => r is ActivityReason.Latest or ActivityReason.RecentlyModified))
        {
            if (activity.Reasons.Contains(ActivityReason.Latest))
            {
                hints.Add("-IncludeLatest");
            }

            if (activity.Reasons.Contains(ActivityReason.RecentlyModified))
            {
                hints.Add("a shorter -QuietPeriod");
            }
        }
        else
        {
            hints.Add("-IncludeActive");
        }

        return $"active: {string.Join(", ", activity.Reasons)} ({string.Join(" and ", hints)} would include it)";
    }
}
