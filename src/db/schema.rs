//! The tables, shared by both backends (kept by hand in step with `migrations/`).

diesel::table! {
    departments (id) {
        id -> BigInt,
        name -> Text,
        code -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    people (id) {
        id -> BigInt,
        name -> Text,
        position -> Text,
        department_id -> BigInt,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        person_id -> Nullable<BigInt>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        session_id -> BigInt,
        token_hash -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    certificates (id) {
        id -> BigInt,
        number -> Text,
        holder_id -> BigInt,
        issued_on -> Date,
        expires_on -> Date,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    certificate_status_changes (id) {
        id -> BigInt,
        certificate_id -> BigInt,
        from_status -> Nullable<Text>,
        to_status -> Text,
        reason -> Text,
        cause_kind -> Text,
        cause_ref -> Nullable<BigInt>,
        changed_by -> Nullable<BigInt>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        change -> Text,
        change_digest -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::joinable!(people -> departments (department_id));
diesel::joinable!(users -> people (person_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(certificates -> people (holder_id));
diesel::joinable!(certificate_status_changes -> certificates (certificate_id));

diesel::allow_tables_to_appear_in_same_query!(
    departments,
    people,
    users,
    sessions,
    refresh_tokens,
    certificates,
    certificate_status_changes,
    audit_log,
);
