using System.Globalization;
using System.Management.Automation;
using System.Runtime.CompilerServices;

namespace PipelineOps.Commands;

/// <summary>
/// The time properties of the output types, as PipelineOps.types.ps1xml publishes them (CodeProperty, same name as the
/// CLR property): the value is still the DateTime (or DateTimeOffset), so Where-Object, Sort-Object, -gt and its methods
/// work as on any time, but wrapped with a ToString that gives ISO 8601 in UTC ("2025-11-01T10:00:00Z"). Export-Csv and
/// ConvertTo-Csv write a property with ToString(), which for a bare DateTime is the culture's format; ConvertTo-Json
/// reads the CLR property and writes ISO 8601 already.
/// </summary>
/// <remarks>
/// ETS gives a CodeProperty only the object, not the property name, hence one small getter per name. Views format
/// these values through the unwrapped time (a FormatString would meet the wrapper's ToString first).
/// </remarks>
public static class IsoTimeProperties
{
    public static object? LastWriteTimeUtc(PSObject instance) => Read(instance);

    public static object? StartedUtc(PSObject instance) => Read(instance);

    public static object? StoppedUtc(PSObject instance) => Read(instance);

    public static object? LastFlushUtc(PSObject instance) => Read(instance);

    public static object? Start(PSObject instance) => Read(instance);

    public static object? End(PSObject instance) => Read(instance);

    public static object? BadTimeDate(PSObject instance) => Read(instance);

    public static object? Time(PSObject instance) => Read(instance);

    public static object? Mtime(PSObject instance) => Read(instance);

    public static object? Added(PSObject instance) => Read(instance);

    public static object? ScheduledStart(PSObject instance) => Read(instance);

    public static object? NextRunTime(PSObject instance) => Read(instance);

    public static object? NextRunTimeUtc(PSObject instance) => Read(instance);

    public static object? PreviousRunTime(PSObject instance) => Read(instance);

    public static object? PreviousRunTimeUtc(PSObject instance) => Read(instance);

    public static object? StartedAt(PSObject instance) => Read(instance);

    public static object? From(PSObject instance) => Read(instance);

    public static object? To(PSObject instance) => Read(instance);

    /// <summary>The wrapper's ToString: ISO 8601, UTC with Z; a DateTimeOffset keeps its offset (Z when it is zero).
    /// With a format (and a provider), the time's own ToString(format), so scripts' $_.Mtime.ToString('yyyyMMdd')
    /// works as on any time.</summary>
    public static string ToIso(PSObject instance, string? format = null, IFormatProvider? provider = null) => format is not null
        ? Format(instance, format, provider ?? CultureInfo.CurrentCulture)
        : instance.BaseObject switch
    {
        DateTime time => Utc(time).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset { Offset.Ticks: 0 } time => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        var other => other.ToString() ?? "",
    };

    /// <summary>
    /// For views: the time in <paramref name="format"/>, in the invariant culture. PowerShell finds the wrapper again
    /// even through PSObject.BaseObject (it keeps instance members by object), so views call this rather than a method
    /// of the value.
    /// </summary>
    public static string Format(object? value, string format) => Format(value, format, CultureInfo.InvariantCulture);

    private static string Format(object? value, string format, IFormatProvider provider) => (value is PSObject wrapped ? wrapped.BaseObject : value) switch
    {
        null => "",
        DateTime time => time.ToString(format, provider),
        DateTimeOffset time => time.ToString(format, provider),
        var other => other.ToString() ?? "",
    };

    private static readonly System.Reflection.MethodInfo IsoToString = typeof(IsoTimeProperties).GetMethod(nameof(ToIso))!;

    private static object? Read(PSObject instance, [CallerMemberName] string name = "")
    {
        var value = instance.BaseObject.GetType().GetProperty(name)?.GetValue(instance.BaseObject);
        if (value is not (DateTime or DateTimeOffset))
        {
            return value;
        }

        var wrapped = new PSObject(value is DateTime time ? Utc(time) : value);
        wrapped.Members.Add(new PSCodeMethod("ToString", IsoToString));
        return wrapped;
    }

    // The engine's times are UTC; one without a kind is taken as UTC (never the machine's zone), a local one converted.
    private static DateTime Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };
}
