import { pageMetadata } from "@/lib/metadata";
import { PricingView } from "./PricingView";

export const metadata = pageMetadata("meta.pricing.title", "meta.pricing.description");

export default function PricingPage() {
  return <PricingView />;
}
