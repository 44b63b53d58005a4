using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace NovaBrain.ModelServing.Deployments;

/// <summary>
/// The specs of this service's deployments, kept in Redis (one hash, the deployment's name to its spec as JSON), so a
/// restarted service deploys again what was deployed. Writes are sent without waiting for Redis: a management call never
/// waits on it, and commands on the one connection keep their order, so a delete cannot overtake the save before it.
/// </summary>
public sealed class DeploymentStore(IConnectionMultiplexer redis, ILogger<DeploymentStore> logger)
{
    private static readonly RedisKey Key = "novabrain:model-serving:deployments";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public void Save(DeploymentSpec spec) =>
        Send(spec.Name, database => database.HashSet(Key, spec.Name, JsonSerializer.Serialize(spec, Json), flags: CommandFlags.FireAndForget));

    public void Remove(string name) =>
        Send(name, database => database.HashDelete(Key, name, CommandFlags.FireAndForget));

    /// <summary>Every stored spec; one that no longer reads as a spec is logged and left out.</summary>
    public async Task<IReadOnlyList<DeploymentSpec>> ReadAllAsync()
    {
        var specs = new List<DeploymentSpec>();
        foreach (var entry in await redis.GetDatabase().HashGetAllAsync(Key))
        {
            try
            {
                specs.Add(JsonSerializer.Deserialize<DeploymentSpec>(entry.Value.ToString(), Json)
                    ?? throw new JsonException("The stored spec is null."));
            }
            catch (JsonException exception)
            {
                logger.LogWarning("The stored spec of deployment {Deployment} cannot be read and is skipped: {Reason}", entry.Name.ToString(), exception.Message);
            }
        }
        return specs;
    }

    private void Send(string name, Action<IDatabase> write)
    {
        try
        {
            write(redis.GetDatabase());
        }
        catch (RedisException exception)
        {
            logger.LogWarning("The spec of deployment {Deployment} could not be stored; a restart will not bring it back: {Reason}", name, exception.Message);
        }
    }
}
