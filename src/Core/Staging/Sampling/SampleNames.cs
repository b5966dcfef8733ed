namespace PipelineOps.Staging.Sampling;

/// <summary>
/// What a sample file is called: the source's name with _sample before its format extension, so samples of
/// data.csv and data.csv.gz never meet. Listings and metadata keep the source's extension and add their own.
/// </summary>
public static class SampleNames
{
    public static string For(string sourceName, SourceFormat format)
    {
        var stem = sourceName[..^format.Extension.Length];
        return format switch
        {
            { Layout: Layout.Tar or Layout.SevenZip } => $"{stem}_sample{format.Extension}.txt",
            { Layout: Layout.Unknown } => $"{stem}_sample{format.Extension}.meta.json",
            { Codec: Codec.Xz } => $"{stem}_sample{format.Extension[..^3]}", // xz cannot be written: the sample is uncompressed
            _ => $"{stem}_sample{format.Extension}",
        };
    }

    /// <summary>The metadata sample written instead, when a source can only be described.</summary>
    public static string MetadataFor(string sourceName, SourceFormat format) =>
        $"{sourceName[..^format.Extension.Length]}_sample{format.Extension}.meta.json";
}
