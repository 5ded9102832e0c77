import Foundation

extension CallDriver {
    /// How the app shows its calls: through one of the system's calling frameworks, or in
    /// its own UI. One engine runs under all three, with the same rules; what differs is
    /// who plays the system's part and how incoming calls reach the device
    /// (docs/ios-integration.md, "Choosing a backend").
    public enum Backend: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// CallKit (`CXProvider`, `CXCallController`) with PushKit VoIP pushes.
        /// https://developer.apple.com/documentation/callkit
        case callKit
        /// LiveCommunicationKit (`ConversationManager`, iOS 17.4) with PushKit VoIP pushes.
        /// https://developer.apple.com/documentation/livecommunicationkit
        case liveCommunicationKit
        /// The app's own call UI, with no system calling framework: the driver creates no
        /// `CXProvider` or `ConversationManager` and never registers for VoIP pushes
        /// (without a calling framework a VoIP push the app does not report gets it
        /// killed, https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didreceiveincomingpushwith:for:completion:)).
        /// Incoming calls come over the app's own connection
        /// (``CallDriver/SignalingEvent/incomingCallAnnounced(call:handle:callerName:isVideo:)``)
        /// or from a regular notification (``CallDriver/incomingCallNotificationReceived(userInfo:)``).
        case inApp

        /// Whether the server may send this device VoIP pushes (`apns-push-type: voip`).
        /// `false` for ``inApp``: the server sends regular notifications
        /// (`apns-push-type: alert`) to the app's APNs device token instead, or announces
        /// calls over the app's connection, and forgets any VoIP token it holds for the
        /// device.
        public var receivesVoIPPushes: Bool { self != .inApp }

        /// The case's name.
        public var description: String { rawValue }
    }

    /// The backend a ``BackendPolicy`` chose, and why the ones it preferred were passed
    /// over. The driver hands it to the app's server at start-up
    /// (``CallSignaling/backendChosen(_:)``) so the server sends the right pushes.
    public struct BackendChoice: Sendable, Hashable, CustomStringConvertible {
        /// Why a backend was not chosen.
        public enum Exclusion: Sendable, Hashable {
            /// The system does not have it (LiveCommunicationKit before iOS 17.4, CallKit
            /// on a platform without it).
            case unavailable
            /// The device's region or App Store storefront is one where the app must not
            /// use it (CallKit in mainland China); `codes` are the ones that matched.
            case restrictedRegion(codes: [String])
            /// Neither the region nor the storefront is known, and the policy treats an
            /// unknown region as restricted (``BackendPolicy/unknownRegionIsRestricted``).
            case regionUnknown
        }

        /// A backend the policy preferred but did not choose, and why.
        public struct PassedOver: Sendable, Hashable {
            /// The backend passed over.
            public let backend: Backend
            /// Why.
            public let reason: Exclusion

            /// `backend`, passed over for `reason`.
            public init(_ backend: Backend, reason: Exclusion) {
                self.backend = backend
                self.reason = reason
            }
        }

        /// The backend to use.
        public let backend: Backend
        /// Every backend the policy preferred over ``backend``, in its order, with why it
        /// was passed over; empty when the first preference was chosen.
        public let passedOver: [PassedOver]

        /// A choice of `backend` with the reasons the ones before it were passed over.
        public init(backend: Backend, passedOver: [PassedOver] = []) {
            self.backend = backend
            self.passedOver = passedOver
        }

        /// `backend`'s ``Backend/receivesVoIPPushes``.
        public var receivesVoIPPushes: Bool { backend.receivesVoIPPushes }

        /// The backend, then each one passed over with its reason:
        /// `"inApp (callKit restricted in CN, liveCommunicationKit unavailable)"`.
        public var description: String {
            let reasons = passedOver.map { passed in
                switch passed.reason {
                case .unavailable: "\(passed.backend) unavailable"
                case .restrictedRegion(let codes): "\(passed.backend) restricted in \(codes.joined(separator: ", "))"
                case .regionUnknown: "\(passed.backend) restricted in an unknown region"
                }
            }
            return reasons.isEmpty ? backend.rawValue : "\(backend.rawValue) (\(reasons.joined(separator: ", ")))"
        }
    }

    /// Picks the backend for this device: the app's order of preference, minus what the
    /// system lacks and what the device's region rules out.
    ///
    /// The default keeps CallKit out of mainland China: App Review rejects apps on the
    /// China App Store that use CallKit, citing the Ministry of Industry and Information
    /// Technology ("MIIT requested that CallKit functionality be deactivated in all apps
    /// available on the China App Store"; quoted in BelledonneCommunications/linphone-iphone
    /// #423, jitsi/jitsi-meet #3152, react-native-callkeep #805). Whether
    /// LiveCommunicationKit may be used there is not confirmed by Apple; vendors say so
    /// (Sinch's and Easemob's documentation) and WeChat is reported to use it, so the
    /// default allows it. docs/ios-integration.md, "Choosing a backend", lists the facts
    /// and their sources.
    public struct BackendPolicy: Sendable, Hashable {
        /// What the policy reads about the device.
        public struct Environment: Sendable, Hashable {
            /// Whether the system has CallKit (iOS 10 and later; not macOS).
            public var hasCallKit: Bool
            /// Whether the system has LiveCommunicationKit (iOS 17.4 and later).
            public var hasLiveCommunicationKit: Bool
            /// The user's region setting, ISO 3166-1 (`Locale.current.region?.identifier`,
            /// https://developer.apple.com/documentation/foundation/locale/region), `nil`
            /// when unknown.
            public var regionCode: String?
            /// The App Store storefront's country, ISO 3166-1 alpha-3
            /// (StoreKit's `Storefront.current?.countryCode`,
            /// https://developer.apple.com/documentation/storekit/storefront/countrycode),
            /// `nil` when unknown. App Review's rule is about the China App Store, so this
            /// is the closer signal; the app reads it (it is `async`) and passes it in.
            public var storefrontCountryCode: String?

            /// An environment from what the app read.
            public init(
                hasCallKit: Bool, hasLiveCommunicationKit: Bool, regionCode: String?,
                storefrontCountryCode: String? = nil
            ) {
                self.hasCallKit = hasCallKit
                self.hasLiveCommunicationKit = hasLiveCommunicationKit
                self.regionCode = regionCode
                self.storefrontCountryCode = storefrontCountryCode
            }
        }

        /// The backends in the app's order of preference; the first one available and
        /// not restricted is chosen, and ``Backend/inApp`` when none is (it is always
        /// available). Default: CallKit, then LiveCommunicationKit, then in-app.
        public var preferred: [Backend]
        /// Region and storefront codes (ISO 3166-1 alpha-2 and alpha-3) where CallKit
        /// must not be used. Default `["CN", "CHN"]` (mainland China; Hong Kong `HK` and
        /// Macau `MO` are not in it).
        public var callKitRestrictedRegions: Set<String>
        /// Codes where LiveCommunicationKit must not be used. Default empty (no
        /// restriction is known; see the type's discussion).
        public var liveCommunicationKitRestrictedRegions: Set<String>
        /// Whether a device whose region and storefront are both unknown counts as being
        /// in a restricted region (GetStream's `CallKitRegionBasedAvailabilityPolicy`
        /// treats an unknown region so). Default `true`: a wrong guess outside China
        /// costs the system call screen, one inside China costs the app's place in the
        /// store.
        public var unknownRegionIsRestricted: Bool

        /// A policy; the defaults are described on each property.
        public init(
            preferred: [Backend] = [.callKit, .liveCommunicationKit, .inApp],
            callKitRestrictedRegions: Set<String> = ["CN", "CHN"],
            liveCommunicationKitRestrictedRegions: Set<String> = [],
            unknownRegionIsRestricted: Bool = true
        ) {
            self.preferred = preferred
            self.callKitRestrictedRegions = callKitRestrictedRegions
            self.liveCommunicationKitRestrictedRegions = liveCommunicationKitRestrictedRegions
            self.unknownRegionIsRestricted = unknownRegionIsRestricted
        }

        /// The backend for `environment`: the first of ``preferred`` the system has and
        /// the region allows, else ``Backend/inApp``. A code matches case-insensitively.
        public func choose(for environment: Environment) -> BackendChoice {
            var passedOver: [BackendChoice.PassedOver] = []
            for backend in preferred {
                if let exclusion = exclusion(of: backend, in: environment) {
                    passedOver.append(BackendChoice.PassedOver(backend, reason: exclusion))
                } else {
                    return BackendChoice(backend: backend, passedOver: passedOver)
                }
            }
            return BackendChoice(backend: .inApp, passedOver: passedOver)
        }

        private func exclusion(of backend: Backend, in environment: Environment) -> BackendChoice.Exclusion? {
            let restricted: Set<String>
            switch backend {
            case .inApp:
                return nil
            case .callKit:
                guard environment.hasCallKit else { return .unavailable }
                restricted = callKitRestrictedRegions
            case .liveCommunicationKit:
                guard environment.hasLiveCommunicationKit else { return .unavailable }
                restricted = liveCommunicationKitRestrictedRegions
            }
            guard !restricted.isEmpty else { return nil }
            let known = [environment.regionCode, environment.storefrontCountryCode].compactMap { $0 }
            if known.isEmpty {
                return unknownRegionIsRestricted ? .regionUnknown : nil
            }
            let upper = Set(restricted.map { $0.uppercased() })
            let matched = known.filter { upper.contains($0.uppercased()) }
            return matched.isEmpty ? nil : .restrictedRegion(codes: matched)
        }
    }
}

extension CallDriver.BackendPolicy.Environment {
    /// This device now: whether the system has CallKit and LiveCommunicationKit (iOS
    /// 17.4, `#available`), and the user's region (`Locale.current.region`). Pass the App
    /// Store storefront's country when the app has it (`await Storefront.current?.countryCode`,
    /// StoreKit, https://developer.apple.com/documentation/storekit/storefront/current):
    /// the driver does not import StoreKit.
    public static func current(storefrontCountryCode: String? = nil) -> Self {
        #if canImport(CallKit) && !os(macOS)
        let hasCallKit = true
        #else
        let hasCallKit = false
        #endif
        var hasLiveCommunicationKit = false
        #if canImport(LiveCommunicationKit) && !os(macOS)
        if #available(iOS 17.4, *) { hasLiveCommunicationKit = true }
        #endif
        return Self(
            hasCallKit: hasCallKit, hasLiveCommunicationKit: hasLiveCommunicationKit,
            regionCode: Locale.current.region?.identifier, storefrontCountryCode: storefrontCountryCode)
    }
}
