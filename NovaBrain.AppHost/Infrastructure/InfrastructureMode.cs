namespace NovaBrain.AppHost.Infrastructure;

/// <summary>How the backing servers (PostgreSQL, Redis, RabbitMQ, MongoDB, Prometheus) run.</summary>
public enum InfrastructureMode
{
    /// <summary>Aspire container resources; needs a container runtime.</summary>
    Containers,

    /// <summary>The installed server binaries, started by the AppHost on loopback.</summary>
    Local,

    /// <summary>Nothing started; connection strings come from configuration.</summary>
    External,
}

/// <summary>The error raised when the configuration or the machine cannot give a working set of backing servers.</summary>
public sealed class InfrastructureConfigurationException(string message) : Exception(message);

/// <summary>Picks the <see cref="InfrastructureMode"/> from the configured value and what the machine offers.</summary>
public static class InfrastructureModeSelector
{
    public const string Auto = "auto";

    public static IReadOnlyList<string> ValidValues { get; } = [Auto, "containers", "local", "external"];

    /// <summary>
    /// Decides the mode. The probes are only called when the decision needs them, so an explicit
    /// mode never waits on a container runtime.
    /// </summary>
    /// <param name="configured">The <c>NovaBrain:Infrastructure</c> value; null or empty means auto.</param>
    /// <param name="isPublishMode">Publishing renders the deployable form, which is always containers or external.</param>
    /// <param name="containerRuntimeAnswers">Whether a container runtime answers.</param>
    /// <param name="missingLocalPackages">The Debian/Ubuntu packages whose server binaries are missing.</param>
    public static InfrastructureMode Select(
        string? configured,
        bool isPublishMode,
        Func<bool> containerRuntimeAnswers,
        Func<IReadOnlyCollection<string>> missingLocalPackages)
    {
        var value = string.IsNullOrWhiteSpace(configured) ? Auto : configured.Trim().ToLowerInvariant();
        switch (value)
        {
            case "external":
                return InfrastructureMode.External;
            case "containers":
                return InfrastructureMode.Containers;
            case "local" or Auto when isPublishMode:
                // Local processes are a development form; the manifest describes containers.
                return InfrastructureMode.Containers;
            case "local":
                var missing = missingLocalPackages();
                return missing.Count == 0 ? InfrastructureMode.Local : throw MissingPackages(missing);
            case Auto:
                if (containerRuntimeAnswers())
                {
                    return InfrastructureMode.Containers;
                }

                var absent = missingLocalPackages();
                return absent.Count == 0 ? InfrastructureMode.Local : throw NoWayToRun(absent);
            default:
                throw new InfrastructureConfigurationException(
                    $"{InfrastructureSettings.Mode} is '{configured}', which is not a mode. Valid values: {string.Join(", ", ValidValues)}.");
        }
    }

    private static InfrastructureConfigurationException MissingPackages(IReadOnlyCollection<string> packages) => new(
        $"Local infrastructure needs server binaries that are not installed. Install them with: apt-get install {string.Join(' ', packages)} " +
        $"(or point {InfrastructureSettings.LocalSection}:* at them).");

    private static InfrastructureConfigurationException NoWayToRun(IReadOnlyCollection<string> packages) => new(
        "No container runtime answers and the local server binaries are missing, so the backing servers cannot run. Either start a " +
        "container runtime (docker, or podman with ASPIRE_CONTAINER_RUNTIME=podman), or install the servers with: " +
        $"apt-get install {string.Join(' ', packages)}. To use servers that already run elsewhere, set {InfrastructureSettings.Mode}=external " +
        "and give ConnectionStrings:<name> for each.");
}
