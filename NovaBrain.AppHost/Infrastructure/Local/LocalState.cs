using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace NovaBrain.AppHost.Infrastructure.Local;

/// <summary>
/// The state folder of local mode: one sub-folder per server, generated secrets kept in <c>secrets/</c>
/// (mode 600) so a restart finds the same passwords the data was created with.
/// </summary>
public sealed class LocalState(string root)
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const int LowestServerPort = 10000;
    private const int HighestServerPort = 19999;

    private static readonly HashSet<int> HandedOutPorts = [];

    public string Root { get; } = root;

    /// <summary>A short stable id of this state folder, used where names must differ between folders.</summary>
    public string Id { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..8];

    /// <summary>The folder for one server, created when first asked for.</summary>
    public string Folder(string name) => Directory.CreateDirectory(Path.Combine(Root, name)).FullName;

    /// <summary>
    /// The secret with this name, generated on first use: alphanumeric, so it needs no escaping in URIs, and with a
    /// lower-case letter, an upper-case letter and a digit, so it passes password policies too.
    /// </summary>
    public string Secret(string name)
    {
        var secrets = Path.Combine(Root, "secrets");
        var path = Path.Combine(secrets, name);
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        string value;
        do
        {
            value = RandomNumberGenerator.GetString(Alphabet, 24);
        }
        while (!value.Any(char.IsLower) || !value.Any(char.IsUpper) || !value.Any(char.IsDigit));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(secrets);
        }
        else
        {
            Directory.CreateDirectory(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        {
            file.Write(Encoding.UTF8.GetBytes(value));
        }

        return value;
    }

    /// <summary>
    /// A loopback port free now, never handed out twice by this process. It is taken below Linux's ephemeral range
    /// (32768 and up), from which the orchestrator's proxies and outgoing connections take theirs, so a port chosen here
    /// cannot be taken by them before the server binds it.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            var port = Random.Shared.Next(LowestServerPort, HighestServerPort + 1);
            lock (HandedOutPorts)
            {
                if (HandedOutPorts.Contains(port) || !IsFree(port))
                {
                    continue;
                }
                HandedOutPorts.Add(port);
                return port;
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
