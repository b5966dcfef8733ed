namespace PipelineOps.Files;

/// <summary>
/// Windows: opening with FileShare.Read denies writers, so the open fails with a sharing violation exactly when
/// another handle has the file open for writing. The handle is closed at once.
/// </summary>
public sealed class ShareDenyWriterProbe : IOpenWriterProbe
{
    private const int SharingViolation = unchecked((int)0x80070020);

    public WriterCheck Coverage => WriterCheck.Complete;

    public IReadOnlyList<string> WritersOf(FileEntry file)
    {
        try
        {
            using var handle = File.OpenHandle(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
            return [];
        }
        catch (IOException e) when (e.HResult == SharingViolation)
        {
            return ["unknown process"];
        }
    }
}
