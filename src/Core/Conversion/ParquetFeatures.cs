namespace PipelineOps.Conversion;

/// <summary>
/// Parquet features a decoder may lack, named as results name them. When a column fails to decode and uses one of
/// these, the file is reported Unsupported with the feature's name rather than damaged: other readers may read it.
/// </summary>
public static class ParquetFeatures
{
    public static IReadOnlyList<string> Of(ParquetColumnChunk column, ICollection<int> pageTypes)
    {
        var features = new List<string>();
        switch (column.Codec)
        {
            case 3: features.Add("LZO compression"); break;
            case 4: features.Add("Brotli compression"); break;
            case 5: features.Add("LZ4 compression with Hadoop framing (codec LZ4)"); break;
            case 7: features.Add("LZ4_RAW compression"); break;
            case > 7: features.Add($"compression codec {column.Codec}"); break;
        }

        if (column.Type == 3)
        {
            features.Add("INT96 timestamps");
        }

        if (pageTypes.Contains(3))
        {
            features.Add("DataPage v2");
        }

        if (column.Type == 0 && column.Encodings.Contains(3))
        {
            features.Add("RLE-encoded booleans");
        }

        foreach (var encoding in column.Encodings.Distinct())
        {
            var name = encoding switch
            {
                5 => "DELTA_BINARY_PACKED encoding",
                6 => "DELTA_LENGTH_BYTE_ARRAY encoding",
                7 => "DELTA_BYTE_ARRAY encoding",
                9 => "BYTE_STREAM_SPLIT encoding",
                > 9 => $"encoding {encoding}",
                _ => null,
            };
            if (name is not null)
            {
                features.Add(name);
            }
        }

        return features;
    }
}
