using System.Text.Json;

namespace NovaBrain.AppHost.Infrastructure.Prometheus;

/// <summary>
/// The Prometheus configuration of NovaBrain: every project resource's <c>http</c> endpoint scraped at
/// <c>/metrics</c>, found through a <c>file_sd_configs</c> targets file the AppHost rewrites as endpoints are allocated.
/// </summary>
public sealed class ScrapeTargets(string folder, string targetsPathInServer, Func<AllocatedEndpoint, string> address)
{
    public const string TargetsFileName = "targets.json";
    public const string ConfigFileName = "prometheus.yml";
    public const string MetricsPath = "/metrics";

    private readonly SortedDictionary<string, string> _targets = new(StringComparer.Ordinal);

    public string Folder { get; } = folder;

    public string ConfigFile => Path.Combine(Folder, ConfigFileName);

    /// <summary>Writes the configuration, and an empty targets file when there is none yet.</summary>
    public void WriteConfiguration()
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllText(ConfigFile, $"""
            global:
              scrape_interval: 15s
            scrape_configs:
              - job_name: novabrain
                metrics_path: {MetricsPath}
                file_sd_configs:
                  - files: ['{targetsPathInServer}']

            """);
        if (!File.Exists(Path.Combine(Folder, TargetsFileName)))
        {
            Write();
        }
    }

    /// <summary>Keeps the targets file in step with the projects' allocated <c>http</c> endpoints.</summary>
    public void Track(IDistributedApplicationBuilder builder)
    {
        builder.Eventing.Subscribe<ResourceEndpointsAllocatedEvent>((@event, _) =>
        {
            if (@event.Resource is ProjectResource project
                && project.TryGetEndpoints(out var endpoints)
                && endpoints.FirstOrDefault(e => e.Name == "http")?.AllocatedEndpoint is { } http)
            {
                lock (_targets)
                {
                    _targets[project.Name] = address(http);
                    Write();
                }
            }

            return Task.CompletedTask;
        });
    }

    private void Write()
    {
        Directory.CreateDirectory(Folder);
        var groups = _targets.Select(t => new { targets = new[] { t.Value }, labels = new Dictionary<string, string> { ["service"] = t.Key } });
        var path = Path.Combine(Folder, TargetsFileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(groups));
        // Replaced in one step, so Prometheus never reads half a file.
        File.Move(temporary, path, overwrite: true);
    }
}
