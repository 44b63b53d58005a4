namespace NovaBrain.ModelServing.Deployments;

public enum DeploymentState
{
    /// <summary>Its first model version is being resolved, fetched, loaded and warmed up.</summary>
    Loading,

    /// <summary>A model version serves requests (an update may be loading beside it).</summary>
    Ready,

    /// <summary>No model version serves requests: the last load failed, for <see cref="Deployment.Reason"/>.</summary>
    Failed,
}

/// <summary>A rolling update in progress or one that failed, while the previous version keeps serving.</summary>
public sealed record DeploymentUpdate(DeploymentSpec Spec, DeploymentState State, string? Reason);

/// <summary>
/// A named deployment: the model version serving it now and any update on its way. <see cref="Current"/> is switched
/// atomically, so a request sees either the old version or the new one, never neither.
/// </summary>
public sealed class Deployment(DeploymentSpec spec, DateTimeOffset createdAt)
{
    private readonly Lock sync = new();
    private volatile ServedModel? current;

    public string Name { get; } = spec.Name;

    /// <summary>The spec of the version serving now, or of the first version while it loads.</summary>
    public DeploymentSpec Spec { get; private set; } = spec;

    public DeploymentState State { get; private set; } = DeploymentState.Loading;

    public string? Reason { get; private set; }

    public DeploymentUpdate? Update { get; private set; }

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset UpdatedAt { get; private set; } = createdAt;

    public ServedModel? Current => current;

    /// <summary>Serialises loads: a second update waits for the first.</summary>
    internal SemaphoreSlim Changes { get; } = new(1, 1);

    /// <summary>Cancelled when the deployment is deleted: a load in progress stops.</summary>
    internal CancellationTokenSource Lifetime { get; } = new();

    internal void BeginLoad(DeploymentSpec next, DateTimeOffset now)
    {
        lock (sync)
        {
            if (current is null)
            {
                (Spec, State, Reason, Update) = (next, DeploymentState.Loading, null, null);
            }
            else
            {
                Update = new DeploymentUpdate(next, DeploymentState.Loading, null);
            }
            UpdatedAt = now;
        }
    }

    internal void LoadFailed(DeploymentSpec failed, string reason, DateTimeOffset now)
    {
        lock (sync)
        {
            if (current is null)
            {
                (Spec, State, Reason) = (failed, DeploymentState.Failed, reason);
            }
            else
            {
                Update = new DeploymentUpdate(failed, DeploymentState.Failed, reason);
            }
            UpdatedAt = now;
        }
    }

    /// <summary>Makes <paramref name="loaded"/> the serving version and returns the one it replaces, to be retired.</summary>
    internal ServedModel? Switch(ServedModel loaded, DeploymentSpec loadedSpec, DateTimeOffset now)
    {
        lock (sync)
        {
            var previous = current;
            current = loaded;
            (Spec, State, Reason, Update, UpdatedAt) = (loadedSpec, DeploymentState.Ready, null, null, now);
            return previous;
        }
    }

    /// <summary>Takes the serving version away (the deployment is being deleted) and returns it, to be retired.</summary>
    internal ServedModel? Retire()
    {
        lock (sync)
        {
            var previous = current;
            current = null;
            (State, Reason) = (DeploymentState.Failed, "deleted");
            return previous;
        }
    }

    /// <summary>A consistent snapshot of the deployment's state.</summary>
    public T Read<T>(Func<Deployment, T> read)
    {
        lock (sync)
        {
            return read(this);
        }
    }
}
