using System.Management.Automation;
using System.Text.RegularExpressions;
using PipelineOps.Staging;

namespace PipelineOps.Commands;

/// <summary>Turns the staging cmdlets' shared parameters into Core values, with named errors for bad ones.</summary>
internal static class StagingParameters
{
    public static DatasetLayout Layout(PSCmdlet cmdlet, string root, string vendor, string dataset, string version)
    {
        try
        {
            return DatasetLayout.For(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(root), vendor, dataset, version);
        }
        catch (ArgumentException e)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(e, "InvalidDatasetName", ErrorCategory.InvalidArgument, e.ParamName));
            throw;
        }
    }

    public static Regex? Environment(PSCmdlet cmdlet, string pattern)
    {
        if (pattern.Length == 0)
        {
            return null;
        }

        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(e, "InvalidEnvironmentPattern", ErrorCategory.InvalidArgument, pattern));
            throw;
        }
    }
}
