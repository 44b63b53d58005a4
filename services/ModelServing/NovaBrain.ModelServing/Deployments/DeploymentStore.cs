using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace NovaBrain.ModelServing.Deployments;

/// <summary>
/// The specs of this service's deployments, kept in Redis (one hash, the deployment's name to its spec as JSON), so a
/// restarted service deploys again what was deployed, and every change announced on a channel, so the service's other
/// replicas follow it (<see cref="DeploymentSync"/>). Writes are sent without waiting for Redis: a management call never
/// waits on it, and commands on the one connection keep their order, so a delete cannot overtake the save before it and
/// an announcement reaches the other replicas after the write it announces.
/// </summary>
public sealed class DeploymentStore(IConnectionMultiplexer redis, ILogger<DeploymentStore> logger)
{
    private static readonly RedisKey Key = "novabrain:model-serving:deployments";
    private static readonly RedisChannel Changes = RedisChannel.Literal("novabrain:model-serving:deployments:changed");

    // Tells this replica's announcements from the others'.
    private readonly string replica = Guid.NewGuid().ToString("N");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Stores <paramref name="spec"/>; <paramref name="servedVersion"/> is the registry version it now serves, once loaded.</summary>
    public void Save(DeploymentSpec spec, int? servedVersion = null) => Send(spec.Name, database =>
    {
        database.HashSet(Key, spec.Name, Serialize(spec), flags: CommandFlags.FireAndForget);
        Announce(database, spec.Name, servedVersion);
    });

    public void Remove(string name) => Send(name, database =>
    {
        database.HashDelete(Key, name, CommandFlags.FireAndForget);
        Announce(database, name, servedVersion: null);
    });

    /// <summary>The stored spec of <paramref name="name"/>; null when none is stored.</summary>
    /// <exception cref="JsonException">The stored spec no longer reads as one.</exception>
    public async Task<DeploymentSpec?> ReadAsync(string name) =>
        await redis.GetDatabase().HashGetAsync(Key, name) is { HasValue: true } value ? Deserialize(value.ToString()) : null;

    /// <summary>Whether two specs ask for the same deployment.</summary>
    public static bool SameSpec(DeploymentSpec first, DeploymentSpec second) => Serialize(first) == Serialize(second);

    /// <summary>Calls <paramref name="apply"/> for each change another replica announces, one at a time, in order.</summary>
    public async Task FollowOthersAsync(Func<DeploymentChanged, Task> apply)
    {
        var announcements = await redis.GetSubscriber().SubscribeAsync(Changes);
        announcements.OnMessage(async message =>
        {
            if (JsonSerializer.Deserialize<DeploymentChanged>(message.Message.ToString(), Json) is { } change && change.Replica != replica)
            {
                await apply(change);
            }
        });
    }

    /// <summary>Every stored spec; one that no longer reads as a spec is logged and left out.</summary>
    public async Task<IReadOnlyList<DeploymentSpec>> ReadAllAsync()
    {
        var specs = new List<DeploymentSpec>();
        foreach (var entry in await redis.GetDatabase().HashGetAllAsync(Key))
        {
            try
            {
                specs.Add(Deserialize(entry.Value.ToString()));
            }
            catch (JsonException exception)
            {
                logger.LogWarning("The stored spec of deployment {Deployment} cannot be read and is skipped: {Reason}", entry.Name.ToString(), exception.Message);
            }
        }
        return specs;
    }

    private static string Serialize(DeploymentSpec spec) => JsonSerializer.Serialize(spec, Json);

    private static DeploymentSpec Deserialize(string json) =>
        JsonSerializer.Deserialize<DeploymentSpec>(json, Json) ?? throw new JsonException("The stored spec is null.");

    private void Announce(IDatabase database, string name, int? servedVersion) =>
        database.Publish(Changes, JsonSerializer.Serialize(new DeploymentChanged(replica, name, servedVersion), Json), CommandFlags.FireAndForget);

    private void Send(string name, Action<IDatabase> write)
    {
        try
        {
            write(redis.GetDatabase());
        }
        catch (RedisException exception)
        {
            logger.LogWarning("The spec of deployment {Deployment} could not be stored; a restart will not bring it back, nor will other replicas follow: {Reason}", name, exception.Message);
        }
    }
}

/// <summary>A replica changed deployment <paramref name="Name"/>; <paramref name="ServedVersion"/> is the registry version it now serves, once loaded.</summary>
public sealed record DeploymentChanged(string Replica, string Name, int? ServedVersion);
