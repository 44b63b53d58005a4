namespace NovaBrain.AppHost.Infrastructure;

/// <summary>Resource names of the backing servers; each is also the connection name services use.</summary>
public static class ConnectionNames
{
    public const string Postgres = "postgres";
    public const string AuthDb = "authdb";
    public const string RegistryDb = "registrydb";
    public const string DataDb = "datadb";
    public const string TrainingDb = "trainingdb";
    public const string ParamsDb = "paramsdb";
    public const string MonitoringDb = "monitoringdb";
    public const string LogsDb = "logsdb";
    public const string Redis = "redis";
    public const string EventBus = "eventbus";
    public const string Mongo = "mongo";
    public const string Prometheus = "prometheus";

    public static IReadOnlyList<string> Databases { get; } = [AuthDb, RegistryDb, DataDb, TrainingDb, ParamsDb, MonitoringDb, LogsDb];
}
