using System.Net;
using System.Net.Sockets;

namespace PipelineOps.Tests.Shared;

/// <summary>A TCP relay on 127.0.0.1 that counts the bytes passing each way: what a feed costs on the wire.</summary>
public sealed class ByteCountingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _toClient, _toServer;
    private int _connections;

    public ByteCountingProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The target address with this relay's port.</summary>
    public Uri Relay(Uri target) => new UriBuilder(target) { Port = Port }.Uri;

    public long ToClient => Interlocked.Read(ref _toClient);

    /// <summary>Connections relayed so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public long ToServer => Interlocked.Read(ref _toServer);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = RelayAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
                var up = Copy(client.GetStream(), server.GetStream(), bytes => Interlocked.Add(ref _toServer, bytes));
                var down = Copy(server.GetStream(), client.GetStream(), bytes => Interlocked.Add(ref _toClient, bytes));
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
            {
            }
        }
    }

    private async Task Copy(Stream from, Stream to, Action<int> count)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                count(read);
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }

        to.Close(); // pass the end on
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
