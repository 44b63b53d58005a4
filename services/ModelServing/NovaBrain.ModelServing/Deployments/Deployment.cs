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
/// A canary: another version taking <see cref="Percent"/> of the requests beside the primary one, until it is promoted
/// (it becomes the primary) or aborted (it is unloaded). While it loads or after it failed, it takes none.
/// </summary>
public sealed record DeploymentCanary(DeploymentSpec Spec, int Percent, DeploymentState State, string? Reason);

/// <summary>
/// A named deployment: the model version serving it now and any update on its way. <see cref="Current"/> is switched
/// atomically, so a request sees either the old version or the new one, never neither.
/// </summary>
public sealed class Deployment(DeploymentSpec spec, DateTimeOffset createdAt)
{
    private readonly Lock sync = new();
    private volatile ServedModel? current;
    private volatile ServedModel? canary;
    private volatile int canaryPercent;

    public string Name { get; } = spec.Name;

    /// <summary>The spec of the version serving now, or of the first version while it loads.</summary>
    public DeploymentSpec Spec { get; private set; } = spec;

    public DeploymentState State { get; private set; } = DeploymentState.Loading;

    public string? Reason { get; private set; }

    public DeploymentUpdate? Update { get; private set; }

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset UpdatedAt { get; private set; } = createdAt;

    public ServedModel? Current => current;

    public DeploymentCanary? Canary { get; private set; }

    /// <summary>The ready canary version, if any; requests go to it at <see cref="DeploymentCanary.Percent"/>.</summary>
    public ServedModel? CanaryVersion => canary;

    /// <summary>
    /// The version a request without a version goes to: the canary for its share of requests, the primary otherwise.
    /// </summary>
    public ServedModel? Route()
    {
        var (primary, trial, percent) = (current, canary, canaryPercent);
        return trial is not null && (primary is null || Random.Shared.Next(100) < percent) ? trial : primary;
    }

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

    /// <summary>Takes the serving versions away (the deployment is being deleted) and returns them, to be retired.</summary>
    internal IReadOnlyList<ServedModel> Retire()
    {
        lock (sync)
        {
            var retired = new[] { current, canary }.OfType<ServedModel>().ToArray();
            (current, canary, Canary) = (null, null, null);
            (State, Reason) = (DeploymentState.Failed, "deleted");
            return retired;
        }
    }

    internal void BeginCanary(DeploymentSpec spec, int percent, DateTimeOffset now)
    {
        lock (sync)
        {
            (Canary, UpdatedAt) = (new DeploymentCanary(spec, percent, DeploymentState.Loading, null), now);
        }
    }

    internal void CanaryFailed(DeploymentSpec spec, int percent, string reason, DateTimeOffset now)
    {
        lock (sync)
        {
            (Canary, UpdatedAt) = (new DeploymentCanary(spec, percent, DeploymentState.Failed, reason), now);
        }
    }

    /// <summary>Starts sending <paramref name="percent"/> of requests to <paramref name="loaded"/>; returns the canary it replaces.</summary>
    internal ServedModel? SetCanary(ServedModel loaded, DeploymentSpec spec, int percent, DateTimeOffset now)
    {
        lock (sync)
        {
            var previous = canary;
            (canary, canaryPercent) = (loaded, percent);
            (Canary, UpdatedAt) = (new DeploymentCanary(spec, percent, DeploymentState.Ready, null), now);
            return previous;
        }
    }

    /// <summary>Changes the canary's share; false when there is no canary.</summary>
    internal bool SetCanaryPercent(int percent, DateTimeOffset now)
    {
        lock (sync)
        {
            if (Canary is null)
            {
                return false;
            }
            (canaryPercent, Canary, UpdatedAt) = (percent, Canary with { Percent = percent }, now);
            return true;
        }
    }

    /// <summary>Makes the ready canary the primary version; returns the primary it replaces, or null when there is no ready canary.</summary>
    internal (bool Promoted, ServedModel? Previous) PromoteCanary(DateTimeOffset now)
    {
        lock (sync)
        {
            if (canary is not { } promoted || Canary is not { } promotedSpec)
            {
                return (false, null);
            }
            var previous = current;
            (current, canary, canaryPercent) = (promoted, null, 0);
            (Spec, State, Reason, Canary, UpdatedAt) = (promotedSpec.Spec, DeploymentState.Ready, null, null, now);
            return (true, previous);
        }
    }

    /// <summary>Stops the canary; returns its version, to be retired. False when there is no canary.</summary>
    internal (bool Aborted, ServedModel? Canary) AbortCanary(DateTimeOffset now)
    {
        lock (sync)
        {
            if (Canary is null)
            {
                return (false, null);
            }
            var aborted = canary;
            (canary, canaryPercent, Canary, UpdatedAt) = (null, 0, null, now);
            return (true, aborted);
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
