using System.Management.Automation;

namespace PipelineOps.Paths;

/// <summary>An output folder checked before any work or output: it must be a folder, or be creatable as one (no file
/// in the way on its path). The error names the folder as the user gave it.</summary>
internal static class DestinationCheck
{
    public static void RequireFolder(PSCmdlet cmdlet, string parameter, string given, string resolved)
    {
        for (var path = resolved; !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (Directory.Exists(path))
            {
                return;
            }

            if (File.Exists(path))
            {
                var what = path == resolved ? "is a file" : $"lies under '{path}', which is a file";
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new IOException($"-{parameter} '{given}' cannot be used as a folder: it {what}."),
                    "DestinationNotFolder", ErrorCategory.InvalidArgument, given));
            }
        }
    }
}
