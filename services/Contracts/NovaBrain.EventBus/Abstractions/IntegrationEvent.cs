namespace NovaBrain.EventBus.Abstractions;

/// <summary>
/// Something that happened in one service that others may react to. Named in the past tense;
/// the id makes redelivery detectable, so handlers can be idempotent.
/// </summary>
public abstract record IntegrationEvent
{
    public Guid Id { get; init; } = Guid.NewGuid();

    public DateTimeOffset OccurredAt { get; init; } = DateTimeOffset.UtcNow;
}
