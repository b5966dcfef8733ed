namespace PipelineOps.Files;

/// <summary>A rule that says a file may still be being written. Each one that fires is listed in Reasons. No rule
/// is 0: PowerShell reads a one-element array holding 0 as false, so `Where-Object { $_.Reasons -eq 'Latest' }`
/// would find nothing.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum ActivityReason
{
    /// <summary>The newest file of its rotated series (group); the writer has most likely not rotated away from it.</summary>
    Latest = 1,

    /// <summary>Last written within the quiet period.</summary>
    RecentlyModified,

    /// <summary>Another process holds the file open for writing.</summary>
    OpenForWrite,

    /// <summary>Size or last write time changed during the stability window.</summary>
    Growing,

    /// <summary>The name says the file is not complete yet: temp_ prefix, .tmp/.partial/.inprogress suffix.</summary>
    TempName,

    /// <summary>The file ends in the middle of a record: a line-oriented file whose last byte is not a newline,
    /// or a Parquet file without its closing footer magic.</summary>
    TornTail,

    /// <summary>Not a regular file (a FIFO, a device, a socket, or a symbolic link to one of those, or a dangling
    /// link): reading it could block or never end, so it is never read as data.</summary>
    NotRegularFile,
}
