import CallKitEngine
import CallKitEngineDriver
import XCTest

/// The calling-framework policy: availability, the app's order, and the region.
final class BackendPolicyTests: XCTestCase {
    private typealias Environment = CallDriver.BackendPolicy.Environment

    private func environment(
        callKit: Bool = true, liveCommunicationKit: Bool = true, region: String? = "US", storefront: String? = nil
    ) -> Environment {
        Environment(
            hasCallKit: callKit, hasLiveCommunicationKit: liveCommunicationKit, regionCode: region,
            storefrontCountryCode: storefront)
    }

    func testDefaultPolicyPicksCallKitOutsideMainlandChina() {
        let choice = CallDriver.BackendPolicy().choose(for: environment(region: "DE", storefront: "DEU"))
        XCTAssertEqual(choice, CallDriver.BackendChoice(backend: .callKit))
        XCTAssertTrue(choice.receivesVoIPPushes)
        XCTAssertEqual(choice.description, "callKit")
    }

    func testDefaultPolicyPassesOverCallKitInMainlandChinaForLiveCommunicationKit() {
        let policy = CallDriver.BackendPolicy()
        for (region, storefront) in [("CN", nil), ("cn", nil), ("US", "CHN"), (nil, "CHN")] as [(String?, String?)] {
            let choice = policy.choose(for: environment(region: region, storefront: storefront))
            XCTAssertEqual(choice.backend, .liveCommunicationKit, "region \(String(describing: region))")
            XCTAssertEqual(choice.passedOver.count, 1)
            XCTAssertEqual(choice.passedOver.first?.backend, .callKit)
            guard case .restrictedRegion(let codes)? = choice.passedOver.first?.reason else {
                return XCTFail("CallKit should be passed over for the region: \(choice)")
            }
            XCTAssertEqual(
                codes, [region, storefront].compactMap { $0 }.filter { ["CN", "CHN"].contains($0.uppercased()) })
        }
    }

    func testHongKongAndMacauKeepCallKit() {
        let policy = CallDriver.BackendPolicy()
        XCTAssertEqual(policy.choose(for: environment(region: "HK", storefront: "HKG")).backend, .callKit)
        XCTAssertEqual(policy.choose(for: environment(region: "MO")).backend, .callKit)
    }

    func testMainlandChinaBeforeIOS17_4FallsBackToTheAppsOwnUIWithoutVoIPPushes() {
        let choice = CallDriver.BackendPolicy().choose(for: environment(liveCommunicationKit: false, region: "CN"))
        XCTAssertEqual(
            choice,
            CallDriver.BackendChoice(
                backend: .inApp,
                passedOver: [
                    .init(.callKit, reason: .restrictedRegion(codes: ["CN"])),
                    .init(.liveCommunicationKit, reason: .unavailable),
                ]))
        XCTAssertFalse(choice.receivesVoIPPushes)
        XCTAssertEqual(choice.description, "inApp (callKit restricted in CN, liveCommunicationKit unavailable)")
    }

    func testUnknownRegionCountsAsRestrictedUnlessThePolicySaysOtherwise() {
        let unknown = environment(region: nil, storefront: nil)
        let choice = CallDriver.BackendPolicy().choose(for: unknown)
        XCTAssertEqual(choice.backend, .liveCommunicationKit)
        XCTAssertEqual(choice.passedOver, [.init(.callKit, reason: .regionUnknown)])
        XCTAssertEqual(choice.description, "liveCommunicationKit (callKit restricted in an unknown region)")
        var lenient = CallDriver.BackendPolicy()
        lenient.unknownRegionIsRestricted = false
        XCTAssertEqual(lenient.choose(for: unknown).backend, .callKit)
    }

    func testAppsOrderOfPreferenceComesFirst() {
        let policy = CallDriver.BackendPolicy(preferred: [.liveCommunicationKit, .callKit])
        XCTAssertEqual(policy.choose(for: environment()).backend, .liveCommunicationKit)
        XCTAssertEqual(policy.choose(for: environment(liveCommunicationKit: false)).backend, .callKit)
        let inAppFirst = CallDriver.BackendPolicy(preferred: [.inApp, .callKit])
        XCTAssertEqual(inAppFirst.choose(for: environment()).backend, .inApp)
    }

    func testNoAvailableBackendLeavesTheAppsOwnUI() {
        let policy = CallDriver.BackendPolicy(preferred: [.callKit])
        let choice = policy.choose(for: environment(callKit: false))
        XCTAssertEqual(
            choice, CallDriver.BackendChoice(backend: .inApp, passedOver: [.init(.callKit, reason: .unavailable)]))
    }

    func testLiveCommunicationKitRestrictionsApplyWhenTheAppSetsThem() {
        var policy = CallDriver.BackendPolicy()
        policy.liveCommunicationKitRestrictedRegions = ["CN"]
        XCTAssertEqual(policy.choose(for: environment(region: "CN")).backend, .inApp)
    }

    func testCurrentEnvironmentCarriesTheStorefrontItIsGivenIntoTheChoice() {
        // On Linux the frameworks are the stubs and `#available` always holds: what this
        // pins is that the storefront the app passes reaches the policy.
        let current = Environment.current(storefrontCountryCode: "CHN")
        XCTAssertEqual(current.storefrontCountryCode, "CHN")
        XCTAssertEqual(
            CallDriver.BackendPolicy().choose(for: current).passedOver,
            [
                .init(
                    .callKit,
                    reason: .restrictedRegion(
                        codes: [current.regionCode, "CHN"].compactMap { $0 }.filter { ["CN", "CHN"].contains($0) }))
            ])
    }
}
