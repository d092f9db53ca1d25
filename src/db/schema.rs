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

diesel::table! {
    rule_versions (version) {
        version -> BigInt,
        effective_from -> Date,
        rule_values -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Renewed by triggers on every change of `rule_versions` and the calendar tables.
    rule_revision (id) {
        id -> Integer,
        tag -> Text,
    }
}

diesel::table! {
    calendar_years (year) {
        year -> Integer,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Date,
        year -> Integer,
        kind -> Text,
    }
}

diesel::table! {
    acts (id) {
        id -> BigInt,
        kind -> Text,
        penalty_procedure -> Nullable<Text>,
        department_id -> BigInt,
        counterpart_name -> Text,
        counterpart_type -> Text,
        legal_basis -> Text,
        decision_text -> Text,
        decision_date -> Date,
        major -> Bool,
        filed_on -> Nullable<Date>,
        status -> Text,
        revoked_reason -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
        disclosure_due_on -> Date,
        disclosure_rule_version -> BigInt,
        disclosed_on -> Nullable<Date>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        disclosure_outdated_since -> Nullable<Date>,
    }
}

diesel::table! {
    act_officers (act_id, person_id) {
        act_id -> BigInt,
        person_id -> BigInt,
    }
}

diesel::table! {
    act_reviews (id) {
        id -> BigInt,
        act_id -> BigInt,
        kind -> Text,
        outcome -> Text,
        decided_on -> Date,
        note -> Text,
        recorded_by -> Nullable<BigInt>,
        recorded_at -> Timestamp,
    }
}

diesel::joinable!(acts -> departments (department_id));
diesel::joinable!(act_officers -> acts (act_id));
diesel::joinable!(act_officers -> people (person_id));
diesel::joinable!(act_reviews -> acts (act_id));
diesel::joinable!(calendar_days -> calendar_years (year));

diesel::table! {
    disclosures (id) {
        id -> BigInt,
        department_id -> BigInt,
        category -> Text,
        content_type -> Text,
        act_id -> Nullable<BigInt>,
        public_version_id -> Nullable<BigInt>,
        public_title -> Nullable<Text>,
        published_on -> Nullable<Date>,
        public_until -> Nullable<Date>,
        taken_down_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    disclosure_versions (id) {
        id -> BigInt,
        disclosure_id -> BigInt,
        number -> BigInt,
        status -> Text,
        title -> Text,
        body -> Text,
        licensing -> Nullable<Text>,
        return_comment -> Nullable<Text>,
        withdraw_reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        published_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        filename -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        data -> Binary,
        uploaded_by -> Nullable<BigInt>,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    version_attachments (version_id, attachment_id) {
        version_id -> BigInt,
        attachment_id -> BigInt,
        purpose -> Text,
    }
}

diesel::table! {
    disclosure_takedowns (id) {
        id -> BigInt,
        disclosure_id -> BigInt,
        version_id -> BigInt,
        reason_kind -> Text,
        reason -> Text,
        taken_down_at -> Timestamp,
    }
}

diesel::joinable!(disclosures -> departments (department_id));
diesel::joinable!(disclosure_versions -> disclosures (disclosure_id));
diesel::joinable!(version_attachments -> disclosure_versions (version_id));
diesel::joinable!(version_attachments -> attachments (attachment_id));
diesel::joinable!(disclosure_takedowns -> disclosures (disclosure_id));

diesel::table! {
    inspections (id) {
        id -> BigInt,
        kind -> Text,
        title -> Text,
        period_from -> Date,
        period_to -> Date,
        status -> Text,
        created_by -> Nullable<BigInt>,
        started_at -> Nullable<Timestamp>,
        concluded_at -> Nullable<Timestamp>,
        conclusion -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    inspection_scope (inspection_id, target_kind, target_id) {
        inspection_id -> BigInt,
        target_kind -> Text,
        target_id -> BigInt,
    }
}

diesel::table! {
    inspection_inspectors (inspection_id, person_id) {
        inspection_id -> BigInt,
        person_id -> BigInt,
    }
}

diesel::table! {
    inspection_samples (id) {
        id -> BigInt,
        inspection_id -> BigInt,
        seed -> Text,
        size -> BigInt,
        filters -> Text,
        population -> BigInt,
        act_ids -> Text,
        drawn_by -> Nullable<BigInt>,
        drawn_at -> Timestamp,
    }
}

diesel::table! {
    findings (id) {
        id -> BigInt,
        inspection_id -> BigInt,
        checklist_item -> Integer,
        description -> Text,
        department_id -> BigInt,
        officer_id -> Nullable<BigInt>,
        act_id -> Nullable<BigInt>,
        found_on -> Date,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    measures (id) {
        id -> BigInt,
        finding_id -> BigInt,
        item -> Integer,
        action -> Text,
        deadline -> Nullable<Date>,
        note -> Text,
        status -> Text,
        certificate_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rectifications (id) {
        id -> BigInt,
        measure_id -> BigInt,
        report -> Text,
        reported_by -> Nullable<BigInt>,
        reported_at -> Timestamp,
        accepted -> Nullable<Bool>,
        comment -> Nullable<Text>,
        verified_by -> Nullable<BigInt>,
        verified_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(inspection_scope -> inspections (inspection_id));
diesel::joinable!(inspection_inspectors -> inspections (inspection_id));
diesel::joinable!(inspection_inspectors -> people (person_id));
diesel::joinable!(inspection_samples -> inspections (inspection_id));
diesel::joinable!(findings -> inspections (inspection_id));
diesel::joinable!(measures -> findings (finding_id));
diesel::joinable!(rectifications -> measures (measure_id));

diesel::table! {
    material_requests (id) {
        id -> BigInt,
        inspection_id -> BigInt,
        department_id -> BigInt,
        description -> Text,
        deadline -> Date,
        status -> Text,
        response -> Nullable<Text>,
        responded_by -> Nullable<BigInt>,
        responded_on -> Nullable<Date>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    supervision_documents (id) {
        id -> BigInt,
        inspection_id -> BigInt,
        number -> Text,
        year -> Integer,
        seq -> BigInt,
        content -> Text,
        issued_on -> Date,
        created_at -> Timestamp,
    }
}

diesel::table! {
    document_targets (document_id, target_kind, target_id) {
        document_id -> BigInt,
        target_kind -> Text,
        target_id -> BigInt,
        department_id -> BigInt,
        received_on -> Nullable<Date>,
        received_by -> Nullable<Text>,
        recorded_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    trend_analyses (id) {
        id -> BigInt,
        period_from -> Date,
        period_to -> Date,
        analysis -> Text,
        measures -> Text,
        recommendations -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(document_targets -> supervision_documents (document_id));

diesel::table! {
    finding_attachments (finding_id, attachment_id) {
        finding_id -> BigInt,
        attachment_id -> BigInt,
    }
}

diesel::joinable!(finding_attachments -> findings (finding_id));
diesel::joinable!(finding_attachments -> attachments (attachment_id));

diesel::table! {
    training_documents (year, kind) {
        year -> Integer,
        kind -> Text,
        content -> Text,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
        filed_at -> Timestamp,
    }
}

diesel::table! {
    training_sessions (id) {
        id -> BigInt,
        title -> Text,
        form -> Text,
        content_areas -> Text,
        held_on -> Date,
        hours_tenths -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    session_participants (session_id, person_id) {
        session_id -> BigInt,
        person_id -> BigInt,
        attendance -> Nullable<Text>,
    }
}

diesel::table! {
    self_study (id) {
        id -> BigInt,
        person_id -> BigInt,
        studied_on -> Date,
        hours_tenths -> BigInt,
        description -> Text,
        status -> Text,
        decided_by -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    exams (id) {
        id -> BigInt,
        title -> Text,
        held_on -> Date,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    exam_results (exam_id, person_id) {
        exam_id -> BigInt,
        person_id -> BigInt,
        score -> Nullable<BigInt>,
        absence -> Nullable<Text>,
        passed -> Bool,
        recorded_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    training_consequences (id) {
        id -> BigInt,
        person_id -> BigInt,
        kind -> Text,
        cause_kind -> Text,
        cause_id -> BigInt,
        created_on -> Date,
        fulfilled_kind -> Nullable<Text>,
        fulfilled_id -> Nullable<BigInt>,
        fulfilled_on -> Nullable<Date>,
        created_at -> Timestamp,
        lifted_on -> Nullable<Date>,
    }
}

diesel::table! {
    note_checks (id) {
        id -> BigInt,
        person_id -> BigInt,
        period_from -> Date,
        period_to -> Date,
        result -> Text,
        comment -> Text,
        checked_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(session_participants -> training_sessions (session_id));
diesel::joinable!(session_participants -> people (person_id));
diesel::joinable!(exam_results -> exams (exam_id));
diesel::joinable!(self_study -> people (person_id));
diesel::joinable!(training_consequences -> people (person_id));

diesel::table! {
    acc_cases (id) {
        id -> BigInt,
        status -> Text,
        source_kind -> Text,
        source_id -> Nullable<BigInt>,
        fault_types -> Text,
        act_ids -> Text,
        facts -> Text,
        fault_on -> Date,
        opinion -> Nullable<Text>,
        decision -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        served_on -> Nullable<Date>,
        appeal -> Nullable<Text>,
        appeal_outcome -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    acc_respondents (case_id, kind, target_id) {
        case_id -> BigInt,
        kind -> Text,
        target_id -> BigInt,
        department_id -> BigInt,
    }
}

diesel::joinable!(acc_respondents -> acc_cases (case_id));

diesel::table! {
    case_attachments (case_id, attachment_id) {
        case_id -> BigInt,
        attachment_id -> BigInt,
    }
}

diesel::joinable!(case_attachments -> acc_cases (case_id));
diesel::joinable!(case_attachments -> attachments (attachment_id));

diesel::table! {
    petitions (id) {
        id -> BigInt,
        tracking_code -> Text,
        channel -> Text,
        subject -> Text,
        content -> Text,
        contact -> Nullable<Text>,
        anonymous -> Bool,
        status -> Text,
        department_id -> Nullable<BigInt>,
        assigned_on -> Nullable<Date>,
        reply_due_on -> Nullable<Date>,
        rule_version -> Nullable<BigInt>,
        reply -> Nullable<Text>,
        replied_on -> Nullable<Date>,
        mishandled -> Bool,
        escalated -> Bool,
        received_on -> Date,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        lapsed_department_id -> Nullable<BigInt>,
        escalated_department_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    eval_deductions (id) {
        id -> BigInt,
        year -> Integer,
        department_id -> BigInt,
        section -> Text,
        problem_type -> Text,
        evidence_kind -> Text,
        evidence_id -> BigInt,
        penalty_procedure -> Nullable<Text>,
        points -> Integer,
        rule_version -> BigInt,
        found_on -> Date,
        note -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        withdrawn_on -> Nullable<Date>,
        withdrawal_reason -> Nullable<Text>,
        withdrawn_by -> Nullable<BigInt>,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    eval_years (year) {
        year -> Integer,
        status -> Text,
        rule_version -> Nullable<BigInt>,
        report -> Nullable<Text>,
        results -> Nullable<Text>,
        opened_by -> Nullable<BigInt>,
        opened_at -> Timestamp,
        reported_at -> Nullable<Timestamp>,
        finalized_by -> Nullable<BigInt>,
        finalized_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    eval_opinions (year, department_id) {
        year -> Integer,
        department_id -> BigInt,
        opinion -> Text,
        fed_back_by -> Nullable<BigInt>,
        fed_back_at -> Timestamp,
        response -> Nullable<Text>,
        responded_by -> Nullable<BigInt>,
        responded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    eval_qualitative (year, department_id, item) {
        year -> Integer,
        department_id -> BigInt,
        item -> Integer,
        content -> Text,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    eval_meetings (id) {
        id -> BigInt,
        held_on -> Date,
        topic -> Text,
        minutes -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(eval_deductions -> departments (department_id));
diesel::joinable!(eval_opinions -> eval_years (year));

diesel::table! {
    service_accounts (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        client_id -> Text,
        secret_hash -> Text,
        scopes -> Text,
        session_id -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    events (seq) {
        seq -> BigInt,
        event_type -> Text,
        scope -> Text,
        entity -> Text,
        entity_id -> BigInt,
        payload -> Text,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    baseline_writes (id) {
        id -> BigInt,
        at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (owner, idem_key) {
        owner -> Text,
        idem_key -> Text,
        fingerprint -> Text,
        instance -> Text,
        done -> Bool,
        status -> Nullable<Integer>,
        headers -> Nullable<Text>,
        body -> Nullable<Binary>,
        created_at -> Timestamp,
        applied -> Bool,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        owner_id -> BigInt,
        url -> Text,
        event_types -> Text,
        secret -> Text,
        active -> Bool,
        disabled_reason -> Nullable<Text>,
        cursor -> BigInt,
        consecutive_failures -> Integer,
        next_attempt_at -> Timestamp,
        leased_until -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event_seq -> BigInt,
        attempt -> Integer,
        succeeded -> Bool,
        response_status -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
        attempted_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    departments,
    people,
    users,
    sessions,
    refresh_tokens,
    certificates,
    certificate_status_changes,
    audit_log,
    rule_versions,
    calendar_years,
    calendar_days,
    acts,
    act_officers,
    act_reviews,
    disclosures,
    disclosure_versions,
    attachments,
    version_attachments,
    disclosure_takedowns,
    inspections,
    inspection_scope,
    inspection_inspectors,
    inspection_samples,
    findings,
    measures,
    rectifications,
    material_requests,
    supervision_documents,
    document_targets,
    trend_analyses,
    finding_attachments,
    training_documents,
    training_sessions,
    session_participants,
    self_study,
    exams,
    exam_results,
    training_consequences,
    note_checks,
    acc_cases,
    acc_respondents,
    case_attachments,
    petitions,
    eval_deductions,
    eval_years,
    eval_opinions,
    eval_qualitative,
    eval_meetings,
    service_accounts,
    events,
    idempotency_keys,
    webhooks,
    webhook_deliveries,
    baseline_writes,
);
