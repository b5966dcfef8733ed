namespace PipelineOps.Files;

/// <summary>How far the OpenForWrite rule could look.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum WriterCheck
{
    /// <summary>Every process's open files were inspected.</summary>
    Complete,

    /// <summary>Some processes could not be inspected (usually other users' processes without privileges);
    /// a writer among them would not be seen.</summary>
    Partial,

    /// <summary>This platform offers no way to check; the rule never fires.</summary>
    Unavailable,
}
