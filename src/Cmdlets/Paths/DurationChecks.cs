using System.Management.Automation;

namespace PipelineOps.Paths;

/// <summary>Duration parameters out of range stop the command with one error id, NegativeDuration, naming the parameter.</summary>
internal static class DurationChecks
{
    public static void RequireNotNegative(Cmdlet cmdlet, string parameter, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            Stop(cmdlet, parameter, value, "cannot be negative");
        }
    }

    public static void RequirePositive(Cmdlet cmdlet, string parameter, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            Stop(cmdlet, parameter, value, "must be positive");
        }
    }

    private static void Stop(Cmdlet cmdlet, string parameter, TimeSpan value, string rule) =>
        cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(parameter, $"{parameter} {rule}."),
            "NegativeDuration", ErrorCategory.InvalidArgument, value));
}
