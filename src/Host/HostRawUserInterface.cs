using System.Management.Automation.Host;

namespace PipelineOps.Host;

/// <summary>
/// Just enough of a console for the formatter: the width it lays tables out in. Redirected output (files,
/// journald, tests) gets a fixed wide layout so columns are not cut short.
/// </summary>
internal sealed class HostRawUserInterface : PSHostRawUserInterface
{
    private const int RedirectedWidth = 160;

    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

    public override Size BufferSize
    {
        get => new(Width(), 9999);
        set { }
    }

    public override Coordinates CursorPosition { get; set; }

    public override int CursorSize { get; set; } = 25;

    public override bool KeyAvailable => false;

    public override Size MaxPhysicalWindowSize => new(Width(), 100);

    public override Size MaxWindowSize => new(Width(), 100);

    public override Coordinates WindowPosition { get; set; }

    public override Size WindowSize
    {
        get => new(Width(), 50);
        set { }
    }

    public override string WindowTitle { get; set; } = "pipelineops";

    public override void FlushInputBuffer()
    {
    }

    public override BufferCell[,] GetBufferContents(Rectangle rectangle) =>
        throw new NotSupportedException("pipelineops has no screen buffer.");

    public override KeyInfo ReadKey(ReadKeyOptions options) =>
        throw new NotSupportedException("pipelineops runs non-interactively and cannot read keys.");

    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill)
    {
    }

    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents)
    {
    }

    public override void SetBufferContents(Rectangle rectangle, BufferCell fill)
    {
    }

    private static int Width()
    {
        if (Console.IsOutputRedirected)
        {
            return RedirectedWidth;
        }

        try
        {
            return Math.Max(40, Console.BufferWidth);
        }
        catch (IOException)
        {
            return RedirectedWidth;
        }
    }
}
