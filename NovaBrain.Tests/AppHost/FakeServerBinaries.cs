namespace NovaBrain.Tests.AppHost;

/// <summary>Empty files standing in for the server binaries, so local-mode models build on any machine.</summary>
internal static class FakeServerBinaries
{
    public static string[] Settings()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "novabrain-tests", "bin-" + Guid.NewGuid().ToString("N"))).FullName;
        foreach (var name in new[] { "initdb", "postgres", "redis-server", "rabbitmq-server", "epmd", "prometheus" })
        {
            File.WriteAllText(Path.Combine(folder, name), string.Empty);
        }

        return
        [
            "NovaBrain:Infrastructure=local",
            $"NovaBrain:Local:PostgresBin={folder}",
            $"NovaBrain:Local:RedisServer={Path.Combine(folder, "redis-server")}",
            $"NovaBrain:Local:RabbitMqServer={Path.Combine(folder, "rabbitmq-server")}",
            $"NovaBrain:Local:Epmd={Path.Combine(folder, "epmd")}",
            $"NovaBrain:Local:Prometheus={Path.Combine(folder, "prometheus")}",
        ];
    }
}
