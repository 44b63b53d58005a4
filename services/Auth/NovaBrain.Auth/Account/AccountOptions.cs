namespace NovaBrain.Auth.Account;

public sealed class AccountOptions
{
    public const string SectionName = "Auth";

    /// <summary>Whether the login page offers a sign-up form. Off: accounts are created by an administrator.</summary>
    public bool SelfRegistration { get; set; }
}
