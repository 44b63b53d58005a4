using System.Diagnostics;

namespace NovaBrain.AppHost.Infrastructure;

/// <summary>Questions about the machine that decide the <see cref="InfrastructureMode"/>.</summary>
public static class HostProbes
{
    private static readonly TimeSpan RuntimeProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Whether <c>&lt;runtime&gt; info</c> exits 0 within a few seconds (docker unless ASPIRE_CONTAINER_RUNTIME says otherwise).</summary>
    public static bool ContainerRuntimeAnswers(string? configuredRuntime)
    {
        var runtime = string.IsNullOrWhiteSpace(configuredRuntime) ? "docker" : configuredRuntime;
        var start = new ProcessStartInfo(runtime, "info")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return false;
            }

            // Drain the pipes so a chatty runtime cannot block on a full buffer.
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(RuntimeProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // The runtime's client is not installed.
            return false;
        }
    }
}
