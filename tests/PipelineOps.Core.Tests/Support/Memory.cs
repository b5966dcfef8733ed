namespace PipelineOps.Tests.Support;

/// <summary>This process's resident memory from /proc/self/status (Linux).</summary>
public static class Memory
{
    /// <summary>Resets the peak (VmHWM) to the current resident size where the kernel allows it, and returns that size.</summary>
    public static long ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without the reset the peak is the process's lifetime peak: a bound on it still holds, only looser.
        }

        return Field("VmRSS:");
    }

    /// <summary>The peak resident size since the last reset (VmHWM), in bytes.</summary>
    public static long Peak() => Field("VmHWM:");

    private static long Field(string name)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(name, StringComparison.Ordinal));
        return long.Parse(line[name.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
