import Foundation
import XCTest

@testable import CallKitEngine

/// The privacy manifest ships as the library's resource and declares the required-reason
/// API the library calls: the system boot time (`CallEngine.Instant.now()`'s `mach_continuous_time`,
/// the timers' `DispatchTime`), for timers and elapsed time only (reason 35F9.1).
final class PrivacyManifestTests: XCTestCase {
    func testTheLibraryShipsAPrivacyManifestDeclaringSystemBootTimeForTimers() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "PrivacyInfo", withExtension: "xcprivacy"))
        let plist = try PropertyListSerialization.propertyList(from: Data(contentsOf: url), format: nil)
        let manifest = try XCTUnwrap(plist as? [String: Any])
        XCTAssertEqual(manifest["NSPrivacyTracking"] as? Bool, false)
        XCTAssertEqual((manifest["NSPrivacyCollectedDataTypes"] as? [Any])?.count, 0)
        let accessed = try XCTUnwrap(manifest["NSPrivacyAccessedAPITypes"] as? [[String: Any]])
        XCTAssertEqual(accessed.count, 1)
        XCTAssertEqual(
            accessed.first?["NSPrivacyAccessedAPIType"] as? String, "NSPrivacyAccessedAPICategorySystemBootTime")
        XCTAssertEqual(accessed.first?["NSPrivacyAccessedAPITypeReasons"] as? [String], ["35F9.1"])
    }
}
